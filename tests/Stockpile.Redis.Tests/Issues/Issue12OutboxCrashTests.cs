using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.CrashApp;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, "invalidations survive a crash": a child process (tests/Stockpile.Testing.CrashApp) caches a note in
/// Redis through the chain, renames it with SaveChanges and is killed (SIGKILL) by its own interceptor, registered
/// before Stockpile's, right after COMMIT and before the eviction. Redis then still holds the old text, on every
/// instance; once any instance starts (its start-up drain), no tier serves it. On SQLite (a file) and PostgreSQL.
/// Also (lane outbox5) a commit of a <c>TransactionScope</c> (PostgreSQL), killed once the scope's transaction has
/// committed, and a chain's own write through the EF Core store, killed once the store's save has committed and before
/// the chain writes Redis.
/// </summary>
[NonParallelizable]
public sealed class Issue12OutboxCrashTests
{
    [TestCase("sqlite")]
    [TestCase("postgres")]
    public Task SaveChanges_ProcessKilledAfterCommitBeforeEviction_StartupDrainLeavesNoTierWithTheOldState(string provider) =>
        KilledThenStartedAsync("crash", provider);

    [Test]
    public Task TransactionScope_ProcessKilledAfterCommitBeforeEviction_StartupDrainLeavesNoTierWithTheOldState() =>
        KilledThenStartedAsync("crash-scope", "postgres");

    [TestCase("sqlite")]
    [TestCase("postgres")]
    public Task ChainPut_ProcessKilledAfterDatabaseWriteBeforeRedis_StartupDrainLeavesNoTierWithTheOldState(string provider) =>
        KilledThenStartedAsync("crash-put", provider);

    /// <summary>
    /// Lane pg6: the same chain put made inside a <c>TransactionScope</c>. Its save used to enlist in the scope, where no
    /// commit passes EF Core's interceptors (no row); it commits on its own now, with its row.
    /// </summary>
    [Test]
    public Task ChainPutInsideTransactionScope_ProcessKilledAfterDatabaseWriteBeforeRedis_StartupDrainLeavesNoTierWithTheOldState() =>
        KilledThenStartedAsync("crash-scope-put", "postgres");

    private static async Task KilledThenStartedAsync(string mode, string provider)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1, await OutboxPostgres.ForAsync(provider));
        var prefix = TestStores.UniquePrefix();

        var child = await RunCrashAppAsync(mode, provider, database.ConnectionString, RedisTestEnvironment.ConnectionString, prefix, id: 1, text: "new");

        Assert.That(child.Output, Does.Contain("cached: old").And.Contain("committed; killing").And.Not.Contain("not killed"), child.Errors);
        Assert.That(child.ExitCode, Is.Not.Zero, "the child was killed");
        Assert.That(await database.TextAsync(1), Is.EqualTo("new"), "the change committed");
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the commit wrote its outbox row in its transaction");

        await using var instance = database.Instance(RedisTestEnvironment.ConnectionString, prefix);
        var chain = instance.GetRequiredService<ChainedStore>();
        var redis = (RedisStore)chain.Tiers[1];
        Assert.That((await redis.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"), "the crash window happened: Redis kept the pre-commit state");

        await OutboxDatabase.StartHostedAsync(instance);

        Assert.That(await database.OutboxRowsAsync(), Is.Zero, "the start-up drain applied and deleted the row");
        Assert.That(await redis.GetAsync<Note, int>(1), Is.Null, "Redis no longer holds the note");
        Assert.That(await redis.GetAsync<Note>(EntityKey.Of<Note>(nameof(Note.Code), "N1")), Is.Null, "nor under its alternate key");
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("new"));
        Assert.That((await chain.GetAsync<Note>(EntityKey.Of<Note>(nameof(Note.Code), "N1")))?.Text, Is.EqualTo("new"));

        await OutboxDatabase.StopHostedAsync(instance);
    }

    /// <summary>Runs the crash app in <paramref name="mode"/> (<c>crash</c>, <c>crash-scope</c>, <c>crash-put</c>, <c>crash-scope-put</c>: see its Program.cs) and waits for it to end.</summary>
    private static async Task<(int ExitCode, string Output, string Errors)> RunCrashAppAsync(string mode, string provider, string database, string redis, string prefix, int id, string text)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "Stockpile.Testing.CrashApp.dll");
        Assert.That(app, Does.Exist, "the crash app is built beside the tests");
        var start = new ProcessStartInfo("dotnet", ["exec", app, mode, provider, database, redis, prefix, id.ToString(System.Globalization.CultureInfo.InvariantCulture), text])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }
}
