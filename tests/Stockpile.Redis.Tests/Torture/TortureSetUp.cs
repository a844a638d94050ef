using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// The torture suite's PostgreSQL server: started on first use (each case makes its own database on it) and stopped
/// when the suite ends. A missing PostgreSQL fails the cases that need it, with the fix in the message.
/// </summary>
[SetUpFixture]
public sealed class TortureSetUp
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static PostgresServer? s_postgres;

    /// <summary>Gets the server, starting it the first time.</summary>
    internal static async Task<PostgresServer> PostgresAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            return s_postgres ??= await PostgresServer.StartAsync();
        }
        finally
        {
            s_gate.Release();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_postgres is not null)
        {
            await s_postgres.DisposeAsync();
            s_postgres = null;
        }
    }
}
