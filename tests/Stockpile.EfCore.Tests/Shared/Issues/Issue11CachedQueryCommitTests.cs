using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 11: what drops a cached query (a commit by SaveChanges, ExecuteUpdate/ExecuteDelete, raw SQL, a cascade in the
/// database; never a rollback), when the database answers instead (a transaction that has written, a disable scope),
/// and the window where a result is computed while a writer commits.
/// </summary>
[TestFixture]
public sealed class Issue11CachedQueryCommitTests
{
    [Test]
    public async Task SaveChanges_RolledBack_CachedResultStillServed()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId);

        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Books.Remove(await context.Books.SingleAsync(b => b.Id == harness.BookIds[0]));
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        harness.Commands.Reset();
        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId), Has.Count.EqualTo(3));
        Assert.That(harness.Commands.Count, Is.Zero, "nothing committed: the cached result stays");
    }

    [Test]
    public async Task SaveChanges_InTransaction_WriterReadsTheDatabaseOthersSeeTheCommitOnlyAfterIt()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = author, Title = "uncommitted", Price = 1 });
        await context.SaveChangesAsync();

        harness.Commands.Reset();
        var inside = await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync();
        Assert.That(inside, Has.Count.EqualTo(4), "a transaction that has written reads its own writes from the database");
        Assert.That(harness.Commands.Count, Is.GreaterThan(0));

        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, author), Has.Count.EqualTo(3), "nothing committed yet; the uncommitted result was not stored");

        await transaction.CommitAsync();
        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, author), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Cached_InTransactionThatHasNotWritten_ServesHitsButStoresNoMiss()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        harness.Commands.Reset();
        _ = await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync();
        Assert.That(harness.Commands.Count, Is.Zero, "a hit is served inside a transaction that has not written");

        _ = await context.Books.Where(b => b.AuthorId == author).Cached().CountAsync();
        _ = await context.Books.Where(b => b.AuthorId == author).Cached().CountAsync();
        Assert.That(harness.Commands.Count, Is.EqualTo(2), "a miss inside a transaction is not stored");
        await transaction.CommitAsync();
    }

    [Test]
    public async Task ChainPutThroughTheEfCoreStore_ItsOwnSave_DropsTheCachedResult()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId);

        // The store's contexts carry the interceptor (as AddEfCoreStore + AddStockpileInterceptor(sp) register them).
        var store = new EfCoreStore<QueryDbContext>(harness.App, new EfCoreStoreOptions { UseModelKeys = true });
        await new ChainedStore([new MemoryStore(), store]).PutAsync(new QBook { Id = QueryHarness.Next(), AuthorId = harness.AuthorId, Title = "put", Price = 2 });

        Assert.That((await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId)).Select(b => b.Title), Does.Contain("put"));
    }

    [Test]
    public async Task Cached_InDisableScope_GoesToTheDatabase()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId);
        await harness.Plain.CreateDbContext().Books.Where(b => b.Id == harness.BookIds[0]).ExecuteUpdateAsync(s => s.SetProperty(b => b.Title, "behind"));

        harness.Commands.Reset();
        using (StockpileCaching.Disable())
        {
            var fresh = await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId);
            Assert.That(fresh[0].Title, Is.EqualTo("behind"));
        }

        Assert.That(harness.Commands.Count, Is.EqualTo(1));
        Assert.That((await Issue11CachedQueryTests.ListAsync(harness, harness.AuthorId))[0].Title, Is.Not.EqualTo("behind"), "the scope stored nothing (the write went around Stockpile)");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteUpdateAndDelete_Committed_DropTheCachedResult(bool async)
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Books.Where(b => b.Id == harness.BookIds[0]);
            _ = async ? await rows.ExecuteUpdateAsync(s => s.SetProperty(b => b.Title, "bulk")) : rows.ExecuteUpdate(s => s.SetProperty(b => b.Title, "bulk"));
        }

        Assert.That((await Issue11CachedQueryTests.ListAsync(harness, author))[0].Title, Is.EqualTo("bulk"));

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Books.Where(b => b.Id == harness.BookIds[1]);
            _ = async ? await rows.ExecuteDeleteAsync() : rows.ExecuteDelete();
        }

        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, author), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ExecuteUpdate_InTransaction_DropsAtCommitNotAfterRollback()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using var context = harness.App.CreateDbContext();
        await using (var rolledBack = await context.Database.BeginTransactionAsync())
        {
            await context.Books.Where(b => b.AuthorId == author).ExecuteUpdateAsync(s => s.SetProperty(b => b.Price, 99m));
            await rolledBack.RollbackAsync();
        }

        harness.Commands.Reset();
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);
        Assert.That(harness.Commands.Count, Is.Zero, "a rollback drops nothing");

        await using (var committed = await context.Database.BeginTransactionAsync())
        {
            await context.Books.Where(b => b.AuthorId == author).ExecuteUpdateAsync(s => s.SetProperty(b => b.Price, 99m));
            Assert.That((await Issue11CachedQueryTests.ListAsync(harness, author))[0].Price, Is.EqualTo(10m), "not committed yet");
            await committed.CommitAsync();
        }

        Assert.That((await Issue11CachedQueryTests.ListAsync(harness, author)).Select(b => b.Price), Is.All.EqualTo(99m));
    }

    [Test]
    public async Task ExecuteSqlRaw_ThroughTheContext_DropsTheTablesItNames()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using (var context = harness.App.CreateDbContext())
        {
            // SQLite: undelimited, in another case than the model's (raw SQL is matched leniently); PostgreSQL folds unquoted names.
            var table = QueryHarness.Database.Provider == "SQLite" ? "qbooks" : "\"QBooks\"";
            var sql = "UPDATE " + table + " SET \"Title\" = 'raw' WHERE \"Id\" = " + harness.BookIds[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Database.ExecuteSqlRawAsync(sql);
        }

        Assert.That((await Issue11CachedQueryTests.ListAsync(harness, author))[0].Title, Is.EqualTo("raw"));
    }

    [Test]
    public async Task SaveChanges_DeletedPrincipal_DropsResultsOfTablesTheDatabaseCascadesTo()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await Issue11CachedQueryTests.ListAsync(harness, author);

        await using (var context = harness.App.CreateDbContext())
        {
            // The books are not loaded: the database deletes them (ON DELETE CASCADE), no entry says so.
            context.Authors.Remove(await context.Authors.SingleAsync(a => a.Id == author));
            await context.SaveChangesAsync();
            Assert.That(context.ChangeTracker.Entries<QBook>(), Is.Empty);
        }

        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, author), Is.Empty);
    }

    [Test]
    public async Task Cached_ResultComputedWhileAWriterCommits_IsNeverServedAfterTheCommit()
    {
        var gate = new ReadGate();
        var harness = await QueryHarness.CreateAsync(null, gate);
        var author = harness.AuthorId;

        // The reader's query has read the old rows; the writer commits before the reader stores its result.
        gate.Arm();
        var reader = Task.Run(() => Issue11CachedQueryTests.ListAsync(harness, author));
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var context = harness.App.CreateDbContext())
        {
            context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = author, Title = "committed meanwhile", Price = 1 });
            await context.SaveChangesAsync();
        }

        gate.Release();
        Assert.That(await reader, Has.Count.EqualTo(3), "the reader's own answer predates the commit");

        Assert.That(await Issue11CachedQueryTests.ListAsync(harness, author), Has.Count.EqualTo(4), "the result stored during the commit must not be served after it");
    }

    [Test]
    public async Task Cached_Expiration_EndsTheEntry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = await QueryHarness.CreateAsync(new StockpileCache(new StockpileCacheOptions { TimeProvider = time }));
        await using var context = harness.App.CreateDbContext();
        var author = harness.AuthorId;

        _ = await context.Books.Where(b => b.AuthorId == author).Cached(TimeSpan.FromMinutes(1)).CountAsync();
        _ = await context.Books.Where(b => b.AuthorId == author).Cached(TimeSpan.FromMinutes(1)).CountAsync();
        Assert.That(harness.Commands.Count, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMinutes(2));
        _ = await context.Books.Where(b => b.AuthorId == author).Cached(TimeSpan.FromMinutes(1)).CountAsync();
        Assert.That(harness.Commands.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Cached_UserTagRemoved_DropsTheResult()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();
        var options = new StockpileQueryOptions { Tags = ["books-report"] };
        var author = harness.AuthorId;

        _ = await context.Books.Where(b => b.AuthorId == author).Cached(options).CountAsync();
        _ = await context.Books.Where(b => b.AuthorId == author).Cached(options).CountAsync();
        Assert.That(harness.Commands.Count, Is.EqualTo(1));

        await harness.Cache.RemoveByTagAsync("books-report");
        _ = await context.Books.Where(b => b.AuthorId == author).Cached(options).CountAsync();
        Assert.That(harness.Commands.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Cached_ValueOfUnsupportedType_ThrowsNamingIt()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();
        var holder = new Uri("https://example.com/");

        var error = Assert.ThrowsAsync<NotSupportedException>(() => context.Books.Where(b => b.Title == holder.ToString() || holder == null).Cached().ToListAsync());
        Assert.That(error!.Message, Does.Contain(nameof(Uri)));
    }

    /// <summary>Holds a cached query after its SQL ran, until released.</summary>
    private sealed class ReadGate : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Reached => _reached.Task;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("QBooks", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                // The statement ran: its snapshot is taken (PostgreSQL; SQLite in WAL mode). The writer commits meanwhile,
                // and the result is stored after the commit.
                _reached.TrySetResult();
                await _released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            return result;
        }
    }
}
