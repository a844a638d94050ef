using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 11: compiled cached queries (<see cref="StockpileQuery.CompileAsyncQuery{TContext, TParam1, TResult}(System.Linq.Expressions.Expression{Func{TContext, TParam1, IQueryable{TResult}}}, StockpileQueryOptions?)"/>)
/// keep <c>Cached()</c>'s semantics: a repeat sends no command, every argument is part of the key, a commit to a table
/// read drops the result, the database answers in a disable scope or a transaction that has written, results are
/// untracked copies, and what cannot be keyed is refused when the query is compiled.
/// </summary>
[TestFixture]
public sealed class Issue11CompiledQueryTests
{
    internal static readonly Func<QueryDbContext, int, CancellationToken, Task<List<QBook>>> Books =
        StockpileQuery.CompileAsyncQuery((QueryDbContext db, int author) => db.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id));

    private static readonly Func<QueryDbContext, int, decimal, CancellationToken, Task<int>> s_countAbove =
        StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author, decimal min) => db.Books.Count(b => b.AuthorId == author && b.Price > min));

    private static readonly Func<QueryDbContext, int, CancellationToken, Task<int>> s_countBelow =
        StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author) => db.Books.Count(b => b.AuthorId == author && b.Price < 15));

    private static readonly Func<QueryDbContext, int, CancellationToken, Task<QAuthor?>> s_authorWithBooks =
        StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author) => db.Authors.Include(a => a.Books).FirstOrDefault(a => a.Id == author));

    private static readonly Func<QueryDbContext, int, string, CancellationToken, Task<List<BookLine>>> s_lines =
        StockpileQuery.CompileAsyncQuery((QueryDbContext db, int author, string prefix) =>
            db.Books.Where(b => b.AuthorId == author && b.Title.StartsWith(prefix)).OrderBy(b => b.Id).Select(b => new BookLine(b.Title, b.Author!.Name, b.Price)));

    [Test]
    public async Task CompileAsyncQuery_Repeated_SecondCallSendsNoCommand()
    {
        var harness = await QueryHarness.CreateAsync();

        var first = await BooksAsync(harness);
        var commands = harness.Commands.Count;
        var second = await BooksAsync(harness);

        Assert.That(commands, Is.GreaterThan(0));
        Assert.That(harness.Commands.Count, Is.EqualTo(commands), "the repeat must be answered by the cache");
        Assert.That(second.Select(b => b.Title), Is.EqualTo(first.Select(b => b.Title)));
        Assert.That(second, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task CompileAsyncQuery_DifferentArguments_NeverShareAnEntry()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();
        var author = harness.AuthorId;

        var counts = (await s_countAbove(context, author, 15, default), await s_countAbove(context, author, 25, default), await s_countAbove(context, author + 1, 15, default), await s_countBelow(context, author, default));
        var lines = await s_lines(context, author, $"book{author}-1", default);
        var none = await s_lines(context, author, "no such title", default);
        var again = (await s_countAbove(context, author, 15, default), await s_countAbove(context, author, 25, default));

        Assert.That(counts, Is.EqualTo((2, 1, 0, 1)));
        Assert.That(again, Is.EqualTo((2, 1)));
        Assert.That(lines, Is.EqualTo(new[] { new BookLine($"book{author}-1", $"author{author}", 20) }));
        Assert.That(none, Is.Empty);
    }

    [Test]
    public async Task CompileAsyncQuery_NoneToThreeParameters_AnswerAndRepeatFromCache()
    {
        var harness = await QueryHarness.CreateAsync();
        var rows0 = StockpileQuery.CompileAsyncQuery((QueryDbContext db) => db.Genres.Where(g => g.Name.StartsWith("genre")).Select(g => g.Id));
        var scalar0 = StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db) => db.Genres.Any(g => g.Name.StartsWith("genre")));
        var rows3 = StockpileQuery.CompileAsyncQuery((QueryDbContext db, int author, decimal min, string prefix) =>
            db.Books.Where(b => b.AuthorId == author && b.Price >= min && b.Title.StartsWith(prefix)).OrderBy(b => b.Id).Select(b => b.Price));
        var scalar3 = StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author, decimal min, decimal max) =>
            db.Books.Where(b => b.AuthorId == author && b.Price >= min && b.Price <= max).Sum(b => b.Price));
        var author = harness.AuthorId;

        async Task<string> RunAsync()
        {
            await using var context = harness.App.CreateDbContext();
            return string.Join(
                "|",
                (await rows0(context, default)).Contains(harness.GenreId),
                await scalar0(context, default),
                string.Join(",", (await rows3(context, author, 20, $"book{author}-", default)).Select(static p => (int)p)),
                (int)await scalar3(context, author, 10, 20, default));
        }

        var first = await RunAsync();
        var commands = harness.Commands.Count;
        var second = await RunAsync();

        Assert.That(first, Is.EqualTo("True|True|20,30|30"));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(harness.Commands.Count, Is.EqualTo(commands), "every repeat must be answered by the cache");
    }

    [Test]
    public async Task CompileAsyncQuery_AfterSaveChanges_SeesTheChange()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var reader = harness.App.CreateDbContext();
        Assert.That(await s_countAbove(reader, harness.AuthorId, 0, default), Is.EqualTo(3));
        Assert.That((await s_authorWithBooks(reader, harness.AuthorId, default))!.Books, Has.Count.EqualTo(3));

        await using (var context = harness.App.CreateDbContext())
        {
            context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = harness.AuthorId, Title = "new", Price = 5 });
            await context.SaveChangesAsync();
        }

        Assert.That(await s_countAbove(reader, harness.AuthorId, 0, default), Is.EqualTo(4));
        Assert.That((await s_authorWithBooks(reader, harness.AuthorId, default))!.Books, Has.Count.EqualTo(4), "the include reads the books' table too");
    }

    [Test]
    public async Task CompileAsyncQuery_ExecuteUpdate_DropsTheResult()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await BooksAsync(harness);

        await using (var context = harness.App.CreateDbContext())
        {
            await context.Books.Where(b => b.AuthorId == harness.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Title, "bulk"));
        }

        Assert.That((await BooksAsync(harness)).Select(b => b.Title), Is.All.EqualTo("bulk"));
    }

    [Test]
    public async Task CompileAsyncQuery_WriteToAnotherTable_StaysCached()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await BooksAsync(harness);

        await using (var context = harness.App.CreateDbContext())
        {
            context.Notes.Add(new QNote { Id = QueryHarness.Next(), Text = "unrelated" });
            await context.SaveChangesAsync();
        }

        harness.Commands.Reset();
        _ = await BooksAsync(harness);
        Assert.That(harness.Commands.Count, Is.Zero, "a write to a table the query does not read must not drop it");
    }

    [Test]
    public async Task CompileAsyncQuery_InTransactionThatHasWritten_ReadsTheDatabaseAndStoresNothing()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await BooksAsync(harness);

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = author, Title = "uncommitted", Price = 1 });
        await context.SaveChangesAsync();

        harness.Commands.Reset();
        Assert.That(await Books(context, author, default), Has.Count.EqualTo(4), "a transaction that has written reads its own writes from the database");
        Assert.That(harness.Commands.Count, Is.GreaterThan(0));
        Assert.That(await BooksAsync(harness), Has.Count.EqualTo(3), "nothing committed yet; the uncommitted result was not stored");

        await transaction.CommitAsync();
        Assert.That(await BooksAsync(harness), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task CompileAsyncQuery_InDisableScope_ReadsTheDatabase()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await BooksAsync(harness);
        await using (var context = harness.Plain.CreateDbContext())
        {
            await context.Books.Where(b => b.AuthorId == harness.AuthorId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Title, "behind Stockpile's back"));
        }

        harness.Commands.Reset();
        List<QBook> inside;
        using (StockpileCaching.Disable())
        {
            inside = await BooksAsync(harness);
        }

        Assert.That(inside.Select(b => b.Title), Is.All.EqualTo("behind Stockpile's back"));
        Assert.That(harness.Commands.Count, Is.GreaterThan(0));
        Assert.That((await BooksAsync(harness)).Select(b => b.Title), Has.None.EqualTo("behind Stockpile's back"), "the scope stored nothing: the cached result is served again");
    }

    [Test]
    public async Task CompileAsyncQuery_CallerChangesItsResult_CacheKeepsTheOriginalAndNothingIsTracked()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();

        var first = await Books(context, harness.AuthorId, default);
        first[0].Title = "changed by the caller";
        var included = await s_authorWithBooks(context, harness.AuthorId, default);
        included!.Books[0].Title = "changed too";
        var again = await Books(context, harness.AuthorId, default);
        var includedAgain = await s_authorWithBooks(context, harness.AuthorId, default);

        Assert.That(again.Select(b => b.Title), Has.None.EqualTo("changed by the caller"));
        Assert.That(includedAgain!.Books.Select(b => b.Title), Has.None.EqualTo("changed too"));
        Assert.That(includedAgain.Books[0].Author, Is.SameAs(includedAgain), "a copy keeps the graph's shape");
        Assert.That(context.ChangeTracker.Entries(), Is.Empty, "a compiled cached query returns untracked entities");
    }

    [Test]
    public async Task CompileAsyncQuery_OptionsTagAndCacheName_AreUsed()
    {
        var harness = await QueryHarness.CreateAsync();
        var tagged = StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author) => db.Books.Count(b => b.AuthorId == author), new StockpileQueryOptions { Tags = ["report"] });
        var named = StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author) => db.Books.Count(b => b.AuthorId == author), new StockpileQueryOptions { CacheName = "no-such-cache" });
        await using var context = harness.App.CreateDbContext();

        Assert.That(await tagged(context, harness.AuthorId, default), Is.EqualTo(3));
        harness.Commands.Reset();
        _ = await tagged(context, harness.AuthorId, default);
        Assert.That(harness.Commands.Count, Is.Zero);
        await harness.Cache.RemoveByTagAsync("report");
        _ = await tagged(context, harness.AuthorId, default);
        Assert.That(harness.Commands.Count, Is.EqualTo(1), "removing the query's tag drops its result");

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => named(context, harness.AuthorId, default));
        Assert.That(error!.Message, Does.Contain("no-such-cache"));
    }

    [Test]
    public async Task CompileAsyncQuery_AndTheSameCachedQuery_NeverShareAnEntry()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        var compiled = StockpileQuery.CompileAsyncQuery((QueryDbContext db) => db.Books.Where(b => b.Price > 0).Select(b => b.Id));
        await using var context = harness.App.CreateDbContext();
        _ = await compiled(context, default);
        _ = await context.Books.Where(b => b.Price > 0).Select(b => b.Id).Cached().ToListAsync();

        Assert.That(harness.Commands.Count, Is.EqualTo(2), "each form keeps its own entry");
    }

    [Test]
    public void CompileAsyncQuery_ReadsAVariable_ThrowsWhenCompiled()
    {
        var min = 10m;

        var error = Assert.Throws<NotSupportedException>(() => StockpileQuery.CompileAsyncQuery((QueryDbContext db) => db.Books.Where(b => b.Price > min)));
        Assert.That(error!.Message, Does.Contain(nameof(QBook)).And.Contain("min").And.Contain("parameter"));
    }

    [Test]
    public void CompileAsyncQuery_TrackingOrCachedInside_ThrowsWhenCompiled()
    {
        var tracking = Assert.Throws<InvalidOperationException>(() => StockpileQuery.CompileAsyncQuery((QueryDbContext db, int id) => db.Books.AsTracking().Where(b => b.Id == id)));
        var cached = Assert.Throws<InvalidOperationException>(() => StockpileQuery.CompileAsyncQuery((QueryDbContext db, int id) => db.Books.Where(b => b.Id == id).Cached()));

        Assert.That(tracking!.Message, Does.Contain("tracking").And.Contain(nameof(QBook)));
        Assert.That(cached!.Message, Does.Contain("Cached()").And.Contain(nameof(QBook)));
    }

    [Test]
    public void CompileAsyncScalarQuery_QueryReturningRows_ThrowsNamingTheRowsForm()
    {
        var error = Assert.Throws<ArgumentException>(() => StockpileQuery.CompileAsyncScalarQuery((QueryDbContext db, int author) => db.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id)));

        Assert.That(error!.Message, Does.Contain("CompileAsyncQuery").And.Contain(nameof(QBook)));
    }

    [Test]
    public async Task CompileAsyncQuery_ContextWithoutInterceptor_ThrowsClearError()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.Plain.CreateDbContext();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => Books(context, harness.AuthorId, default));
        Assert.That(error!.Message, Does.Contain("AddStockpileInterceptor"));
    }

    private static async Task<List<QBook>> BooksAsync(QueryHarness harness)
    {
        await using var context = harness.App.CreateDbContext();
        return await Books(context, harness.AuthorId, default);
    }
}
