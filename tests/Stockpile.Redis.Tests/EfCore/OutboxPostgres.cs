using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// The PostgreSQL server of the outbox tests, started the first time one asks for it (so the other tests of this
/// namespace do not wait for it) and stopped after them. A missing PostgreSQL fails those tests loudly.
/// </summary>
[SetUpFixture]
public sealed class OutboxPostgres
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static PostgresServer? s_server;

    /// <summary>Gets the server, starting it first if needed.</summary>
    public static async Task<PostgresServer> GetAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            return s_server ??= await PostgresServer.StartAsync("outbox");
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Gets the server for <paramref name="provider"/> <c>postgres</c>, or <see langword="null"/> for SQLite.</summary>
    public static async Task<PostgresServer?> ForAsync(string provider) => provider == "postgres" ? await GetAsync() : null;

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_server is { } server)
        {
            s_server = null;
            await server.DisposeAsync();
        }
    }
}
