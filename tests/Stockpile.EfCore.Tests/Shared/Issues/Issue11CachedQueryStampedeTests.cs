using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 11 (stampede): concurrent misses of one cached query ran the query once each. Misses of one key in one process
/// now join the first one's run and each get their own copy of its result. Every query is held until all callers have
/// called, so each of them misses.
/// </summary>
[TestFixture]
public sealed class Issue11CachedQueryStampedeTests
{
    private static readonly Func<QueryDbContext, int, CancellationToken, Task<List<QBook>>> s_books =
        StockpileQuery.CompileAsyncQuery((QueryDbContext db, int author) => db.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id));

    [Test]
    public async Task Cached_ConcurrentMissesOfOneKey_OneDatabaseQueryAndACopyEach()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var author = harness.AuthorId;
        var contexts = Enumerable.Range(0, 20).Select(_ => harness.App.CreateDbContext()).ToList();

        var reads = contexts.Select(c => c.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync()).ToList();
        queries.Release();
        var lists = await Task.WhenAll(reads);

        Assert.That(queries.Queries, Has.Count.EqualTo(1), "one database query for 20 concurrent misses");
        Assert.That(lists.Select(l => string.Join(",", l.Select(b => b.Title))), Has.All.EqualTo($"book{author}-0,book{author}-1,book{author}-2"));
        Assert.That(lists.SelectMany(l => l).Distinct().Count(), Is.EqualTo(60), "every caller gets its own copy");
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }

    [Test]
    public async Task CompileAsyncQuery_ConcurrentMissesOfOneKey_OneDatabaseQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var contexts = Enumerable.Range(0, 20).Select(_ => harness.App.CreateDbContext()).ToList();

        var reads = contexts.Select(c => s_books(c, harness.AuthorId, default)).ToList();
        queries.Release();
        var lists = await Task.WhenAll(reads);

        Assert.That(queries.Queries, Has.Count.EqualTo(1), "one database query for 20 concurrent misses");
        Assert.That(lists.Select(l => l.Count), Has.All.EqualTo(3));
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }

    [Test]
    public async Task CompileAsyncQuery_MissAfterATableChangedDuringTheRun_RunsItsOwnQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        await using var first = harness.App.CreateDbContext();
        await using var second = harness.App.CreateDbContext();

        var before = s_books(first, harness.AuthorId, default);
        await harness.Cache.RemoveByTagAsync("stockpile.table:QBooks"); // what a commit to the books' table does once applied
        var after = s_books(second, harness.AuthorId, default);
        queries.Release();
        await Task.WhenAll(before, after);

        Assert.That(queries.Queries, Has.Count.EqualTo(2), "a miss that has seen the table change must not take the result of a run begun before it");
    }

    [Test]
    public async Task Cached_ConcurrentMissesWithDifferentValues_EachRunsItsOwnQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var contexts = Enumerable.Range(0, 2).Select(_ => harness.App.CreateDbContext()).ToList();

        var reads = contexts.Select((c, i) => s_books(c, harness.AuthorId + i, default)).ToList();
        queries.Release();
        var lists = await Task.WhenAll(reads);

        Assert.That(queries.Queries, Has.Count.EqualTo(2));
        Assert.That(lists.Select(l => l.Count), Is.EqualTo(new[] { 3, 0 }));
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }
}
