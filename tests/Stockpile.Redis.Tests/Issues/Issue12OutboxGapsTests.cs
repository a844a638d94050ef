using System.Transactions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.CrashApp;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, the outbox's gaps (lane outbox5), with real Redis, SQLite and PostgreSQL: a commit through a
/// <see cref="TransactionScope"/> writes its rows in the ambient transaction and deletes them after it; a chain's own
/// write through the EF Core store writes its row in the store's save transaction and deletes it once the chain wrote
/// every tier; a set-up built by hand (no DI) turns the outbox on with <see cref="StockpileInterceptorOptions.UseOutbox"/>
/// and drains it with <see cref="StockpileOutboxDrainer{TContext}"/>. The crash forms (a child killed by SIGKILL) are
/// in <see cref="Issue12OutboxCrashTests"/>.
/// </summary>
[NonParallelizable]
public sealed class Issue12OutboxGapsTests
{
    private const string Unreachable = "127.0.0.1:1,abortConnect=false,connectTimeout=200,asyncTimeout=200,syncTimeout=200";

    /// <summary>Redis unreachable: the evictions cannot complete, so each save of a committed scope leaves its row; a scope that does not complete leaves none.</summary>
    [TestCase(true, 2)]
    [TestCase(false, 0)]
    public async Task TransactionScope_RedisUnreachable_RowPerSaveKeptOnlyWhenTheScopeCommits(bool complete, int rows)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2, await OutboxPostgres.GetAsync());
        await using var app = database.Instance(Unreachable, TestStores.UniquePrefix());

        await SaveInScopeAsync(app, complete, (1, "new"), (2, "new"));

        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(rows));
        Assert.That(await database.TextAsync(1), Is.EqualTo(complete ? "new" : "old"));
    }

    [Test]
    public async Task TransactionScope_RedisReachable_EvictsAndDeletesTheRows()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2, await OutboxPostgres.GetAsync());
        await using var app = database.Instance(RedisTestEnvironment.ConnectionString, TestStores.UniquePrefix());
        var chain = app.GetRequiredService<ChainedStore>();
        Assert.That((await chain.GetManyAsync<Note, int>([1, 2])).Select(n => n!.Text), Is.All.EqualTo("old"));

        await SaveInScopeAsync(app, complete: true, (1, "new"), (2, "new"));

        Assert.That(await database.OutboxRowsAsync(), Is.Zero, "both rows are deleted once the scope committed and the evictions reached every tier");
        Assert.That(await ((RedisStore)chain.Tiers[1]).GetManyAsync<Note, int>([1, 2]), Is.All.Null);
        Assert.That((await chain.GetManyAsync<Note, int>([1, 2])).Select(n => n!.Text), Is.All.EqualTo("new"));
    }

    /// <summary>
    /// Lane pg6: a chain's own write inside a <see cref="TransactionScope"/> enlisted its save in the ambient
    /// transaction, where no commit passes through EF Core's interceptors, so it got no outbox row (and the cache tiers,
    /// written at once, could not follow the scope's rollback). The store's writes run outside the ambient transaction
    /// now: committed at once with their row, whatever the scope does; with Redis unreachable the row stays.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task ChainPut_InsideTransactionScope_CommitsOnItsOwnWithItsRow(bool complete)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1, await OutboxPostgres.GetAsync());
        await using var app = database.Instance(Unreachable, TestStores.UniquePrefix());
        var chain = app.GetRequiredService<ChainedStore>();

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await chain.PutAsync(new Note { Id = 1, Code = "N1", Text = "put" });
            if (complete)
            {
                scope.Complete();
            }
        }

        Assert.That(await database.TextAsync(1), Is.EqualTo("put"), "the chain's write is its own unit of work");
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "its row was written with it, and stays while Redis is unreachable");
    }

    [TestCase("sqlite")]
    [TestCase("postgres")]
    public async Task ChainPutAndDelete_RedisReachable_RowMarkedDoneOnceEveryTierTookTheWrite(string provider)
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 2, await OutboxPostgres.ForAsync(provider));
        await using var app = database.Instance(RedisTestEnvironment.ConnectionString, TestStores.UniquePrefix());
        var chain = app.GetRequiredService<ChainedStore>();
        var redis = (RedisStore)chain.Tiers[1];
        Assert.That((await chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");

        var drainer = app.GetRequiredService<Stockpile.Internal.OutboxDrainer<NoteDbContext>>();

        await chain.PutAsync(new Note { Id = 1, Code = "N1", Text = "put" });
        Assert.That(await database.TextAsync(1), Is.EqualTo("put"));
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the put wrote its row with the data");
        Assert.That(await drainer.DrainAsync(everything: true, CancellationToken.None), Is.Zero, "the row was marked done once Redis and memory took the put: the pass deletes it, applying nothing");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);
        Assert.That((await redis.GetAsync<Note, int>(1))?.Text, Is.EqualTo("put"), "written through, never evicted");

        Assert.That(await chain.DeleteAsync(EntityKey.For<Note>(2)), Is.True);
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the delete wrote its row");
        Assert.That(await drainer.DrainAsync(everything: true, CancellationToken.None), Is.Zero, "and marked it done");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);
        Assert.That(await chain.GetAsync<Note, int>(2), Is.Null);
    }

    /// <summary>
    /// Redis unreachable: the chain's put reaches the database, and Redis (its fail-safe) only remembers the write it
    /// skipped; the row stays, and an instance with Redis drains it: Redis no longer holds the pre-put state.
    /// </summary>
    [Test]
    public async Task ChainPut_RedisUnreachableAfterTheDatabaseWrite_RowKeptAndDrainedByAnotherInstance()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        var prefix = TestStores.UniquePrefix();
        await using var healthy = database.Instance(RedisTestEnvironment.ConnectionString, prefix);
        var redis = (RedisStore)healthy.GetRequiredService<ChainedStore>().Tiers[1];
        Assert.That((await healthy.GetRequiredService<ChainedStore>().GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));
        Assert.That(await healthy.GetRequiredService<ChainedStore>().SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");
        await using var cutOff = database.Instance(Unreachable, prefix);

        // Redis's fail-safe: the write it could not make is remembered as skipped, not thrown; the tier is unsettled.
        await cutOff.GetRequiredService<ChainedStore>().PutAsync(new Note { Id = 1, Code = "N1", Text = "put" });

        Assert.That(await database.TextAsync(1), Is.EqualTo("put"), "the database took the put");
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the put's row stays");
        Assert.That((await redis.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"), "Redis kept the pre-put state");

        Assert.That(await healthy.GetRequiredService<Stockpile.Internal.OutboxDrainer<NoteDbContext>>().DrainAsync(everything: true, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await redis.GetAsync<Note, int>(1), Is.Null);
        Assert.That((await healthy.GetRequiredService<ChainedStore>().GetAsync<Note, int>(1))?.Text, Is.EqualTo("put"));
    }

    /// <summary>
    /// Without DI: the chain and the interceptor built by hand. Instance A (Redis unreachable) commits a rename: its row
    /// stays, Redis keeps the old note; instance B's drainer, started by hand, evicts it and deletes the row.
    /// </summary>
    [Test]
    public async Task ManualSetup_UseOutboxAndDrainer_RowKeptThenDrainedAtStart()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        var prefix = TestStores.UniquePrefix();
        await using var b = await ManualInstance.CreateAsync(database, RedisTestEnvironment.ConnectionString, prefix);
        Assert.That((await b.Chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));
        Assert.That(await b.Chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");
        await using var a = await ManualInstance.CreateAsync(database, Unreachable, prefix);

        await using (var context = a.Contexts.CreateDbContext())
        {
            (await context.Notes.SingleAsync(n => n.Id == 1)).Text = "new";
            await context.SaveChangesAsync();
        }

        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the commit wrote its row; the eviction could not reach Redis");
        Assert.That((await b.Redis.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));

        await using var drainer = new StockpileOutboxDrainer<NoteDbContext>(b.Contexts, b.Chain);
        await drainer.StartAsync();

        Assert.That(await database.OutboxRowsAsync(), Is.Zero, "the start-up pass drained it");
        Assert.That(drainer.Depth, Is.Zero);
        Assert.That(await b.Redis.GetAsync<Note, int>(1), Is.Null);
        Assert.That((await b.Chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("new"));
        await drainer.StopAsync();
    }

    /// <summary>
    /// Without DI (lane pg6): a chain whose EF Core store makes its contexts without the interceptor would write the
    /// database with no outbox row; the set-up fails at once, naming the store's context and the way out.
    /// </summary>
    [Test]
    public async Task ManualSetup_ChainStoreContextsWithoutTheInterceptor_FailsAtSetUpNamingTheContext()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        var chain = new ChainedStore([new MemoryStore(), new EfCoreStore<NoteDbContext>(new PooledDbContextFactory<NoteDbContext>(database.ContextOptions()))]);

        var interceptor = Assert.Throws<InvalidOperationException>(() => new DbContextOptionsBuilder<NoteDbContext>(database.ContextOptions()).AddStockpileInterceptor(chain, o => o.UseOutbox = true));
        var drainer = Assert.Throws<InvalidOperationException>(() => _ = new StockpileOutboxDrainer<NoteDbContext>(new PooledDbContextFactory<NoteDbContext>(database.ContextOptions()), chain));

        foreach (var refused in new[] { interceptor!, drainer! })
        {
            Assert.That(refused.Message, Does.Contain(nameof(NoteDbContext)).And.Contain("EfCoreStore").And.Contain("AddStockpileInterceptor(() => chain"));
        }

        Assert.That(() => new DbContextOptionsBuilder<NoteDbContext>(database.ContextOptions()).AddStockpileInterceptor(chain), Throws.Nothing, "without the outbox the chain's writes need no row");
    }

    /// <summary>
    /// Without DI, the way out (lane pg6): the store's contexts carry the interceptor, given the chain made after them.
    /// A chain put writes its row with the data; with Redis reachable it is marked done, with Redis unreachable it
    /// stays, and a drain on another instance evicts the pre-put state from Redis.
    /// </summary>
    [Test]
    public async Task ManualSetup_StoreContextsWithTheInterceptor_ChainPutWritesItsRow()
    {
        await using var database = await OutboxDatabase.CreateAsync(notes: 1);
        var prefix = TestStores.UniquePrefix();
        await using var b = await ManualInstance.CreateAsync(database, RedisTestEnvironment.ConnectionString, prefix);
        Assert.That((await b.Chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("old"));
        await using var drainer = new StockpileOutboxDrainer<NoteDbContext>(b.Contexts, b.Chain);

        await b.Chain.PutAsync(new Note { Id = 1, Code = "N1", Text = "put" });
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "the put wrote its row with the data");
        Assert.That(await drainer.DrainAsync(), Is.Zero, "marked done once every tier took the put: deleted, nothing applied");
        Assert.That(await database.OutboxRowsAsync(), Is.Zero);

        await using var a = await ManualInstance.CreateAsync(database, Unreachable, prefix);
        await a.Chain.PutAsync(new Note { Id = 1, Code = "N1", Text = "put again" });
        Assert.That(await database.OutboxRowsAsync(), Is.EqualTo(1), "Redis was unreachable: the row stays");
        Assert.That((await b.Redis.GetAsync<Note, int>(1))?.Text, Is.EqualTo("put"), "Redis kept the pre-put state");

        Assert.That(await drainer.DrainAsync(), Is.EqualTo(1));
        Assert.That(await b.Redis.GetAsync<Note, int>(1), Is.Null);
        Assert.That((await b.Chain.GetAsync<Note, int>(1))?.Text, Is.EqualTo("put again"));
    }

    [Test]
    public async Task ManualSetup_UseOutboxWithoutTheTable_SaveAndDrainerFailNamingTheContext()
    {
        var folder = Directory.CreateTempSubdirectory("stockpile-outbox-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<Stockpile.Redis.Tests.EfCore.RowDbContext>()
                .UseSqlite(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "rows.db") }.ToString());
            await using (var plain = new Stockpile.Redis.Tests.EfCore.RowDbContext(options.Options))
            {
                await plain.Database.EnsureCreatedAsync();
            }

            var chain = new ChainedStore([new MemoryStore()]);
            var contexts = new PooledDbContextFactory<Stockpile.Redis.Tests.EfCore.RowDbContext>(options.AddStockpileInterceptor(chain, o => o.UseOutbox = true).Options);
            await using var context = contexts.CreateDbContext();
            context.Rows.Add(new Row { Id = 1, Code = "R1", Name = "a" });
            var save = Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
            Assert.That(save!.Message, Does.Contain(nameof(Stockpile.Redis.Tests.EfCore.RowDbContext)).And.Contain("AddStockpileOutbox"));
            Assert.That(await context.Rows.AsNoTracking().CountAsync(), Is.Zero, "nothing was written");

            await using var drainer = new StockpileOutboxDrainer<Stockpile.Redis.Tests.EfCore.RowDbContext>(contexts, chain);
            var start = Assert.ThrowsAsync<InvalidOperationException>(() => drainer.StartAsync());
            Assert.That(start!.Message, Does.Contain(nameof(Stockpile.Redis.Tests.EfCore.RowDbContext)));
            Assert.That(() => new StockpileOutboxDrainer<Stockpile.Redis.Tests.EfCore.RowDbContext>(contexts, chain, new StockpileOutboxOptions { BatchSize = 0 }), Throws.ArgumentException.With.Message.Contains("BatchSize"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task SaveInScopeAsync(IServiceProvider app, bool complete, params (int Id, string Text)[] renames)
    {
        using var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        foreach (var (id, text) in renames)
        {
            // A context per save, as a unit of work would: each one enlists in the scope.
            await using var context = await app.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync();
            (await context.Notes.SingleAsync(n => n.Id == id)).Text = text;
            await context.SaveChangesAsync();
        }

        if (complete)
        {
            scope.Complete();
        }
    }

    /// <summary>An app instance built by hand, as docs/efcore.md shows it without DI: memory → Redis → SQLite.</summary>
    private sealed class ManualInstance : IAsyncDisposable
    {
        private ManualInstance(ChainedStore chain, RedisStore redis, PooledDbContextFactory<NoteDbContext> contexts)
        {
            Chain = chain;
            Redis = redis;
            Contexts = contexts;
        }

        public ChainedStore Chain { get; }

        public RedisStore Redis { get; }

        /// <summary>Gets the app's contexts: with the interceptor, the outbox on.</summary>
        public PooledDbContextFactory<NoteDbContext> Contexts { get; }

        public static async Task<ManualInstance> CreateAsync(OutboxDatabase database, string redisConfiguration, string prefix)
        {
            var redisOptions = new RedisStoreOptions { Configuration = redisConfiguration, KeyPrefix = prefix };
            TestStores.FailFast(redisOptions);
            var redis = await RedisStore.ConnectAsync(redisOptions);

            // The store's contexts carry the interceptor too (its outbox rows), given the chain made after them.
            ChainedStore? chain = null;
            var app = new DbContextOptionsBuilder<NoteDbContext>(database.ContextOptions()).AddStockpileInterceptor(() => chain!, o => o.UseOutbox = true);
            var contexts = new PooledDbContextFactory<NoteDbContext>(app.Options);
            chain = new ChainedStore([new MemoryStore(), redis, new EfCoreStore<NoteDbContext>(contexts)]);
            return new ManualInstance(chain, redis, contexts);
        }

        public ValueTask DisposeAsync() => Redis.DisposeAsync();
    }
}
