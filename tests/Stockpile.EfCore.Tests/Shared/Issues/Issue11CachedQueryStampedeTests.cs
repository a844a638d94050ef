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
    [Test]
    public async Task Cached_ConcurrentMissesOfOneKey_OneDatabaseQueryAndACopyEach()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var author = harness.AuthorId;
        var lists = await ConcurrentlyAsync(harness, queries, 20, (c, _) => c.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync());

        Assert.That(queries.Queries, Has.Count.EqualTo(1), "one database query for 20 concurrent misses");
        Assert.That(lists.Select(l => string.Join(",", l.Select(b => b.Title))), Has.All.EqualTo($"book{author}-0,book{author}-1,book{author}-2"));
        Assert.That(lists.SelectMany(l => l).Distinct().Count(), Is.EqualTo(60), "every caller gets its own copy");
    }

    [Test]
    public async Task CompileAsyncQuery_ConcurrentMissesOfOneKey_OneDatabaseQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var lists = await ConcurrentlyAsync(harness, queries, 20, (c, _) => Issue11CompiledQueryTests.Books(c, harness.AuthorId, default));

        Assert.That(queries.Queries, Has.Count.EqualTo(1), "one database query for 20 concurrent misses");
        Assert.That(lists.Select(l => l.Count), Has.All.EqualTo(3));
    }

    [Test]
    public async Task CompileAsyncQuery_MissAfterATableChangedDuringTheRun_RunsItsOwnQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        await using var first = harness.App.CreateDbContext();
        await using var second = harness.App.CreateDbContext();

        var before = Issue11CompiledQueryTests.Books(first, harness.AuthorId, default);
        await harness.Cache.RemoveByTagAsync("stockpile.table:QBooks"); // what a commit to the books' table does once applied
        var after = Issue11CompiledQueryTests.Books(second, harness.AuthorId, default);
        queries.Release();
        await Task.WhenAll(before, after);

        Assert.That(queries.Queries, Has.Count.EqualTo(2), "a miss that has seen the table change must not take the result of a run begun before it");
    }

    [Test]
    public async Task Cached_ConcurrentMissesWithDifferentValues_EachRunsItsOwnQuery()
    {
        var queries = new HeldQueries();
        var harness = await QueryHarness.CreateAsync(null, queries);
        var lists = await ConcurrentlyAsync(harness, queries, 2, (c, i) => Issue11CompiledQueryTests.Books(c, harness.AuthorId + i, default));

        Assert.That(queries.Queries, Has.Count.EqualTo(2));
        Assert.That(lists.Select(l => l.Count), Is.EqualTo(new[] { 3, 0 }));
    }

    /// <summary>Starts <paramref name="count"/> reads, each on its own context, while the queries are held; then lets them run.</summary>
    private static async Task<T[]> ConcurrentlyAsync<T>(QueryHarness harness, HeldQueries queries, int count, Func<QueryDbContext, int, Task<T>> read)
    {
        var contexts = Enumerable.Range(0, count).Select(_ => harness.App.CreateDbContext()).ToList();
        try
        {
            var reads = contexts.Select(read).ToList();
            queries.Release();
            return await Task.WhenAll(reads);
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }
}
