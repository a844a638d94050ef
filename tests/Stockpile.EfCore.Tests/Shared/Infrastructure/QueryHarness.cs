using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// Contexts over <see cref="QueryDbContext"/> with the Stockpile interceptor and a memory <see cref="StockpileCache"/> for
/// cached queries, counting the commands they send; each harness seeds its own rows (ids from <see cref="Next"/>), so
/// tests never meet.
/// </summary>
public sealed class QueryHarness
{
    private static int s_next = 1000;

    private QueryHarness(StockpileCache cache, IInterceptor[] interceptors)
    {
        Cache = cache;
        Commands = new CommandCounter();
        var chain = new ChainedStore([new MemoryStore(new MemoryStoreOptions { Name = "q" })]);
        App = Database.Factory<QueryDbContext>(b => b.AddInterceptors([Commands, .. interceptors]).AddStockpileInterceptor(chain, o => o.QueryCache = cache));
        Plain = Database.Factory<QueryDbContext>();
    }

    public static TestDatabase Database => TestDatabase.Current;

    public StockpileCache Cache { get; }

    public CommandCounter Commands { get; }

    public TestContextFactory<QueryDbContext> App { get; }

    public TestContextFactory<QueryDbContext> Plain { get; }

    public int AuthorId { get; private set; }

    public int[] BookIds { get; private set; } = [];

    public int GenreId { get; private set; }

    /// <summary>A run-unique id block.</summary>
    public static int Next(int count = 1) => Interlocked.Add(ref s_next, count) - count + 1;

    /// <summary>Seeds one author with three books (prices 10, 20, 30) in one genre, behind Stockpile's back.</summary>
    public static async Task<QueryHarness> CreateAsync(StockpileCache? cache = null, params IInterceptor[] interceptors)
    {
        await Database.EnsureTablesAsync<QueryDbContext>();
        var harness = new QueryHarness(cache ?? new StockpileCache(), interceptors);
        var first = Next(5);
        harness.AuthorId = first;
        harness.GenreId = first;
        harness.BookIds = [first + 1, first + 2, first + 3];
        await using var context = harness.Plain.CreateDbContext();
        var genre = new QGenre { Id = harness.GenreId, Name = "genre" + first };
        var author = new QAuthor { Id = harness.AuthorId, Name = "author" + first, Address = new QAddress { City = "Oslo" } };
        for (var i = 0; i < 3; i++)
        {
            author.Books.Add(new QBook { Id = harness.BookIds[i], Title = $"book{first}-{i}", Price = 10 * (i + 1), Genres = [genre] });
        }

        context.Add(author);
        await context.SaveChangesAsync();
        harness.Commands.Reset();
        return harness;
    }
}
