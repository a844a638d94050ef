using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore.Storage;
using Stockpile.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.CrashApp;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, the invalidation outbox, with real Redis and SQLite: a commit writes its row in its own transaction (a
/// rollback writes none) and deletes it once every tier took the evictions; a row left while Redis was away is drained
/// once Redis is back; two instances draining at once apply each row once; the depth gauge and the health check report
/// a backlog.
/// </summary>
[NonParallelizable]
public sealed class Issue12OutboxTests
{
    private const string Unreachable = "127.0.0.1:1,abortConnect=false,connectTimeout=200,asyncTimeout=200,syncTimeout=200";

    /// <summary>The row marked done is deleted by the next commit to the same database (Npgsql: the connection string without its password, as every opened connection reports it).</summary>
    [TestCase("sqlite")]
    [TestCase("postgres")]
    public async Task SaveChanges_RedisReachable_EvictsAndDeletesTheRow(string provider)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1, await OutboxPostgres.ForAsync(provider));
        await using var app = database.Instance(RedisTestEnvironment.ConnectionString, TestStores.UniquePrefix());
        var chain = app.GetRequiredService<ChainedStore>();
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));

        await RenameAsync(app, 1, "new");

        // Its evictions reached every tier: the row is marked done, and the next commit deletes it in its transaction.
        Assert.That(await ((RedisStore)chain.Tiers[1]).GetAsync<Note, int>(1), Is.Null);
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("new"));
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1));
        await RenameAsync(app, 1, "newer");
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the first row went with the second commit");
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("newer"));
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");
        Assert.That(await app.GetRequiredService<OutboxDrainer<NoteDbContext>>().DrainAsync(everything: true, CancellationToken.None), Is.Zero, "a drain pass deletes the row marked done without applying it again");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);
        Assert.That((await ((RedisStore)chain.Tiers[1]).GetAsync<Note, int>(1))?.Text, Is.EqualTo("newer"), "nothing was evicted again");
    }

    /// <summary>With Redis unreachable the evictions cannot complete, so every committed kind of change leaves its row; a rollback leaves none.</summary>
    [TestCase("sqlite", "SaveChanges", 1)]
    [TestCase("sqlite", "SaveChangesSync", 1)]
    [TestCase("sqlite", "TransactionCommitSync", 1)]
    [TestCase("sqlite", "TransactionCommit", 1)]
    [TestCase("sqlite", "ExecuteUpdateInTransaction", 1)]
    [TestCase("sqlite", "ExecuteDeleteNoTransaction", 1)]
    [TestCase("sqlite", "ExecuteUpdateNoTransactionSync", 1)]
    [TestCase("sqlite", "SavepointRolledBackThenCommit", 1)]
    [TestCase("sqlite", "TransactionRollback", 0)]
    [TestCase("sqlite", "SaveChangesFailed", 0)]
    [TestCase("postgres", "SaveChanges", 1)]
    [TestCase("postgres", "ExecuteUpdateInTransaction", 1)]
    [TestCase("postgres", "ExecuteDeleteNoTransaction", 1)]
    [TestCase("postgres", "SavepointRolledBackThenCommit", 1)]
    [TestCase("postgres", "TransactionRollback", 0)]
    [TestCase("postgres", "SaveChangesFailed", 0)]
    public async Task Commit_RedisUnreachable_RowKeptOnlyWhenCommitted(string provider, string scenario, int rows)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2, await OutboxPostgres.ForAsync(provider));
        await using var app = database.Instance(Unreachable, TestStores.UniquePrefix());
        await using var context = await app.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync();
        var note = await context.Notes.SingleAsync(n => n.Id == 1);
        note.Text = "new";
        switch (scenario)
        {
            case "SaveChanges":
                await context.SaveChangesAsync();
                break;
            case "SaveChangesSync":
                context.SaveChanges();
                break;
            case "TransactionCommitSync":
                using (var transaction = context.Database.BeginTransaction())
                {
                    context.SaveChanges();
                    transaction.Commit();
                }

                break;
            case "TransactionCommit":
                await using (var transaction = await context.Database.BeginTransactionAsync())
                {
                    await context.SaveChangesAsync();
                    Assert.That(await database.OutboxRowsAsync(), Is.Zero, "nothing is visible before the commit");
                    await transaction.CommitAsync();
                }

                break;
            case "ExecuteUpdateInTransaction":
                await using (var transaction = await context.Database.BeginTransactionAsync())
                {
                    await context.Notes.Where(n => n.Id == 2).ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, "bulk"));
                    await transaction.CommitAsync();
                }

                break;
            case "ExecuteDeleteNoTransaction":
                Assert.That(await context.Notes.Where(n => n.Id == 2).ExecuteDeleteAsync(), Is.EqualTo(1));
                break;
            case "ExecuteUpdateNoTransactionSync":
                Assert.That(context.Notes.Where(n => n.Id == 2).ExecuteUpdate(s => s.SetProperty(n => n.Text, "bulk")), Is.EqualTo(1));
                Assert.That(await database.TextAsync(2), Is.EqualTo("bulk"), "the statement committed");
                break;
            case "SavepointRolledBackThenCommit":
                await using (var transaction = await context.Database.BeginTransactionAsync())
                {
                    await context.SaveChangesAsync();
                    await transaction.CreateSavepointAsync("second");
                    (await context.Notes.SingleAsync(n => n.Id == 2)).Text = "undone";
                    await context.SaveChangesAsync();
                    await transaction.RollbackToSavepointAsync("second");
                    await transaction.CommitAsync();
                }

                break;
            case "TransactionRollback":
                await using (var transaction = await context.Database.BeginTransactionAsync())
                {
                    await context.SaveChangesAsync();
                    await transaction.RollbackAsync();
                }

                break;
            case "SaveChangesFailed":
                // A unique index violation: the save's own transaction rolls back.
                context.Notes.Add(new Note { Id = 3, Code = "N2", Text = "clash" });
                Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
                break;
        }

        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(rows));
        Assert.That(context.Database.AutoTransactionBehavior, Is.EqualTo(AutoTransactionBehavior.WhenNeeded), "the context's own setting is back after the save");
    }

    [Test]
    public async Task ExecuteUpdate_NoTransactionRedisReachable_EvictsAndDeletesTheRow()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2);
        await using var app = database.Instance(RedisTestEnvironment.ConnectionString, TestStores.UniquePrefix());
        var chain = app.GetRequiredService<ChainedStore>();
        Assert.That((await chain.GetManyAsync<Note, int>([1, 2])).Select(n => n!.Text), Is.All.EqualTo("old"));
        await using var context = await app.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync();

        Assert.That(await context.Notes.Where(n => n.Id == 2).ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, "bulk")), Is.EqualTo(1));

        Assert.That(await app.GetRequiredService<OutboxDrainer<NoteDbContext>>().DrainAsync(everything: true, CancellationToken.None), Is.Zero, "the row was marked done: the pass deletes it, applying nothing");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);
        Assert.That(await database.TextAsync(2), Is.EqualTo("bulk"));
        Assert.That((await chain.GetAsync<Note, int>(2))?.Text, Is.EqualTo("bulk"));
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"), "only the pinned key was evicted");
        Assert.CatchAsync<Microsoft.Data.Sqlite.SqliteException>(() => context.Notes.Where(n => n.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(n => n.Code, "N2")), "a failing statement");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero, "a failed statement leaves no row");
        Assert.That((await context.Notes.AsNoTracking().SingleAsync(n => n.Id == 1)).Text, Is.EqualTo("old"));
    }

    /// <param name="freeze">Whether Redis is frozen (<c>SIGSTOP</c>, then <c>SIGCONT</c> with its data) rather than stopped and started again empty.</param>
    [TestCase(true, TestName = "Drain_RedisFrozenDuringCommit_PeriodicPassEvictsOnceRedisIsBack")]
    [TestCase(false, TestName = "Drain_RedisStoppedDuringCommit_PeriodicPassDeletesTheRowOnceRedisIsBack")]
    public async Task Drain_RedisAwayDuringCommit_PeriodicPassEvictsOnceRedisIsBack(bool freeze)
    {
        await using var server = await RedisServer.StartAsync();
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        using var logs = new Stockpile.Testing.Logging.CapturingLoggerProvider();
        var prefix = TestStores.UniquePrefix();
        await using var app = database.Instance(server.ConnectionString, prefix, o =>
        {
            o.DrainInterval = TimeSpan.FromMilliseconds(200);
            o.MinimumAge = TimeSpan.Zero;
        }, TestStores.FailFast, logs);
        string Events() => string.Join(", ", logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(e => e.EventId.Name));
        var chain = app.GetRequiredService<ChainedStore>();
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");

        // Redis read raw, beside the app: the store's own reads throw while its circuit is open (the chain's miss).
        var key = TestStores.KeyOf(prefix, EntityKey.For<Note>(1));
        async Task<bool> RedisHoldsNoteAsync()
        {
            await using var raw = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(server.ConnectionString));
            return await raw.GetDatabase().KeyExistsAsync(key);
        }

        Assert.That(await RedisHoldsNoteAsync(), Is.True, "Redis holds the old state");
        await OutboxDatabase.StartHostedAsync(app);

        await (freeze ? server.FreezeAsync() : server.StopAsync());
        await RenameAsync(app, 1, "new");
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), $"the eviction could not reach Redis: the row stays (logs: {Events()})");
        Assert.That(logs.Entries.Select(e => e.EventId.Name), Does.Contain("OutboxRowKept"));

        await (freeze ? server.ThawAsync() : server.StartAgainAsync());
        var drained = await RedisBackplaneTests.WaitUntilAsync(async () => await database.OutboxRowsAsync() == 0, TimeSpan.FromSeconds(30));
        TestContext.Progress.WriteLine($"the periodic drain deleted the row {drained.TotalMilliseconds:0} ms after Redis came back");

        Assert.That(await RedisHoldsNoteAsync(), Is.False, $"Redis no longer holds the old state (logs: {Events()})");
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("new"));
        await OutboxDatabase.StopHostedAsync(app);
    }

    [TestCase("sqlite")]
    [TestCase("postgres")]
    public async Task Drain_TwoInstancesAtOnce_EachRowAppliedOnceAndDeleted(string provider)
    {
        const int Rows = 40;
        await using var database = await OutboxDatabase.CreateAsync(notes: Rows, await OutboxPostgres.ForAsync(provider));
        var prefix = TestStores.UniquePrefix();
        await using var a = database.Instance(RedisTestEnvironment.ConnectionString, prefix, o => o.BatchSize = 7);
        await using var b = database.Instance(RedisTestEnvironment.ConnectionString, prefix, o => o.BatchSize = 7);
        var ids = Enumerable.Range(1, Rows).ToArray();
        Assert.That((await a.GetRequiredService<ChainedStore>().GetManyAsync<Note, int>(ids)).Select(n => n!.Text), Is.All.EqualTo("old"));

        // Commits whose process died before evicting: the database changed, each left its row.
        await using (var context = database.CreateContext())
        {
            await context.Notes.ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, "new"));
            var table = OutboxTable.For(context);
            await context.Database.OpenConnectionAsync();
            foreach (var id in ids)
            {
                await using var transaction = await context.Database.BeginTransactionAsync();
                var payload = OutboxPayload.Write([EntityKey.For<Note>(id), EntityKey.Of<Note>(nameof(Note.Code), $"N{id}")], [], [], []);
                await table.InsertAsync(transaction.GetDbTransaction(), $"row{id:D3}", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), payload, CancellationToken.None);
                await transaction.CommitAsync();
            }
        }

        var drained = await Task.WhenAll(
            Task.Run(() => a.GetRequiredService<OutboxDrainer<NoteDbContext>>().DrainAsync(everything: true, CancellationToken.None)),
            Task.Run(() => b.GetRequiredService<OutboxDrainer<NoteDbContext>>().DrainAsync(everything: true, CancellationToken.None)));

        TestContext.Progress.WriteLine($"instance A drained {drained[0]} rows, instance B {drained[1]}");
        Assert.That(drained.Sum(), Is.EqualTo(Rows), "each row was claimed, applied and deleted by exactly one instance");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);
        var redis = (RedisStore)a.GetRequiredService<ChainedStore>().Tiers[1];
        Assert.That(await redis.GetManyAsync<Note, int>(ids), Is.All.Null, "Redis holds none of the old notes");
        Assert.That((await b.GetRequiredService<ChainedStore>().GetManyAsync<Note, int>(ids)).Select(n => n!.Text), Is.All.EqualTo("new"));
    }

    [Test]
    public async Task DepthAndHealth_RowsPending_GaugeReportsThemAndCheckDegrades()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2);
        await using var app = database.Instance(Unreachable, TestStores.UniquePrefix(), o =>
        {
            o.DegradedDepth = 2;
            o.UnhealthyDepth = 3;
        });
        var measured = new List<long>();
        using var listener = new MeterListener();
        var meter = app.GetRequiredService<StockpileMetrics>().Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "stockpile.outbox.depth")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Assert.That(tags.ToArray(), Does.Contain(new KeyValuePair<string, object?>("stockpile.context", nameof(NoteDbContext))));
            measured.Add(value);
        });
        listener.Start();
        var drainer = app.GetRequiredService<OutboxDrainer<NoteDbContext>>();
        var health = app.GetRequiredService<HealthCheckService>();
        const string Check = "stockpile-outbox-NoteDbContext";

        Assert.That((await health.CheckHealthAsync()).Entries[Check].Status, Is.EqualTo(HealthStatus.Healthy));

        await RenameAsync(app, 1, "new");
        await RenameAsync(app, 2, "new");
        Assert.That(await drainer.DrainAsync(everything: true, CancellationToken.None), Is.Zero, "Redis is unreachable: nothing can be drained");
        listener.RecordObservableInstruments();
        Assert.That(measured, Is.EqualTo(new long[] { 2 }));
        var entry = (await health.CheckHealthAsync()).Entries[Check];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), entry.Description);
        Assert.That(entry.Data["depth"], Is.EqualTo(2L));

        await RenameAsync(app, 1, "newer");
        entry = (await health.CheckHealthAsync()).Entries[Check];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy), entry.Description);
    }

    [Test]
    public async Task DepthAndHealth_OldestRowTooOld_CheckDegrades()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = database.Instance(Unreachable, TestStores.UniquePrefix(), o =>
        {
            o.TimeProvider = time;
            o.DegradedAge = TimeSpan.FromMinutes(1);
            o.UnhealthyAge = TimeSpan.FromMinutes(5);
        });
        var health = app.GetRequiredService<HealthCheckService>();
        await RenameAsync(app, 1, "new");
        Assert.That((await health.CheckHealthAsync()).Entries["stockpile-outbox-NoteDbContext"].Status, Is.EqualTo(HealthStatus.Healthy), "one young row");

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await health.CheckHealthAsync()).Entries["stockpile-outbox-NoteDbContext"].Status, Is.EqualTo(HealthStatus.Degraded));

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.That((await health.CheckHealthAsync()).Entries["stockpile-outbox-NoteDbContext"].Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [Test]
    public async Task AddOutbox_ModelWithoutTheTable_StartAndSaveFailNamingTheContext()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        var services = new ServiceCollection();
        EfCoreApps.Database(database)(services);
        services.AddStockpile().AddMemoryStore().AddEfCoreStore<RowDbContext>().AddOutbox<RowDbContext>();
        await using var app = services.BuildServiceProvider();

        var start = Assert.ThrowsAsync<InvalidOperationException>(() => OutboxDatabase.StartHostedAsync(app));
        Assert.That(start!.Message, Does.Contain(nameof(RowDbContext)).And.Contain("AddStockpileOutbox"));

        await using var context = await app.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        context.Rows.Add(new Row { Id = 1, Code = "R1", Name = "a" });
        var save = Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
        Assert.That(save!.Message, Does.Contain(nameof(RowDbContext)));
        Assert.That(await context.Rows.AsNoTracking().CountAsync(), Is.Zero, "nothing was written");
    }

    private static async Task RenameAsync(IServiceProvider app, int id, string text)
    {
        await using var context = await app.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync();
        (await context.Notes.SingleAsync(n => n.Id == id)).Text = text;
        await context.SaveChangesAsync();
    }
}
