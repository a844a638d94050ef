using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stockpile;
using Stockpile.Quickstart;

// The quickstart: a chain memory → (Redis, when REDIS_URL is set) → EF Core on a SQLite file, created and seeded on
// first run. It reads by primary, alternate and composite keys, updates through a DbContext, shows the cache following
// the commit, and prints what each tier answered.
const int BookCount = 200;
var databasePath = Path.Combine(AppContext.BaseDirectory, "quickstart.db");
var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL");
var queries = new QueryCounter();

var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
services.AddPooledDbContextFactory<LibraryContext>((sp, options) => options
    .UseSqlite($"Data Source={databasePath}")
    .AddInterceptors(queries)
    .AddStockpileInterceptor(sp));
var stockpile = services.AddStockpile().AddMemoryStore(o => o.DefaultLifetime = TimeSpan.FromMinutes(5));
if (!string.IsNullOrWhiteSpace(redisUrl))
{
    stockpile.AddRedisStore(o => { o.Configuration = redisUrl; o.KeyPrefix = "quickstart:"; }).AddRedisBackplane();
}

stockpile.AddEfCoreStore<LibraryContext>();

await using var provider = services.BuildServiceProvider();
var contexts = provider.GetRequiredService<IDbContextFactory<LibraryContext>>();
await SeedAsync(contexts);

var chain = provider.GetRequiredService<ChainedStore>();
using var counters = new TierCounters();
Console.WriteLine($"Stockpile quickstart: tiers {string.Join(" → ", chain.Tiers.Select(t => t.Name))}  (database: {databasePath})");
if (string.IsNullOrWhiteSpace(redisUrl))
{
    Console.WriteLine("Redis: not configured (set REDIS_URL=redis://127.0.0.1:6379 to add the Redis tier)");
}

await chain.InvalidateAsync(typeof(Book)); // start cold, even when Redis kept objects from an earlier run
var ids = Enumerable.Range(1, BookCount).ToArray();

// The very first read pays for start-up (JIT, EF Core translating the key query, the first connection): timed apart.
var first = await TimeReadsAsync("start-up: first read", ids.Take(1), id => chain.GetAsync<Book, int>(id));
var cold = await TimeReadsAsync("cold: by id", ids.Skip(1), id => chain.GetAsync<Book, int>(id));
await TimeReadsAsync("warm-up: by id", ids, id => chain.GetAsync<Book, int>(id));
var warm = await TimeReadsAsync("warm: by id, 10 passes", Enumerable.Repeat(ids, 10).SelectMany(static i => i), id => chain.GetAsync<Book, int>(id));
await TimeReadsAsync("by ISBN (alternate key)", ids.Take(50), id => chain.GetAsync<Book>(EntityKey.Of<Book>(nameof(Book.Isbn), Isbn(id))));
await TimeReadsAsync("by shelf+position (composite key)", ids.Take(50), id => chain.GetAsync<Book>(EntityKey.Of<Book>("Location", Shelf(id), Position(id))));

var before = queries.Count;
var batch = await chain.GetManyAsync<Book, int>([5, 9999, 7, 3]);
Console.WriteLine($"batch get [5, 9999, 7, 3] → [{string.Join(", ", batch.Select(b => b?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"))}] with {queries.Count - before} database queries");

// Update through EF Core, changing an alternate key too: the interceptor evicts the committed row from every cache
// tier under its old and new keys. (Each run flips the ISBN between two editions.)
string previousIsbn, currentIsbn;
await using (var db = await contexts.CreateDbContextAsync())
{
    var book = await db.Books.SingleAsync(b => b.Id == 42);
    previousIsbn = book.Isbn;
    currentIsbn = previousIsbn == Isbn(42) ? Isbn(42) + "-2e" : Isbn(42);
    _ = await chain.GetAsync<Book>(EntityKey.Of<Book>(nameof(Book.Isbn), previousIsbn)); // cached under the old ISBN
    book.Title = $"Edited at {DateTime.UtcNow:HH:mm:ss.fff}";
    book.Isbn = currentIsbn;
    await db.SaveChangesAsync();
    Console.WriteLine($"updated book 42 through a DbContext: title '{book.Title}', ISBN {previousIsbn} → {currentIsbn}");
}

before = queries.Count;
var fresh = await chain.GetAsync<Book, int>(42);
var oldIsbn = await chain.GetAsync<Book>(EntityKey.Of<Book>(nameof(Book.Isbn), previousIsbn));
var newIsbn = await chain.GetAsync<Book>(EntityKey.Of<Book>(nameof(Book.Isbn), currentIsbn));
Console.WriteLine($"after the commit: book 42 reads '{fresh?.Title}' ({queries.Count - before} database queries); old ISBN → {(oldIsbn is null ? "miss" : "STALE HIT")}; new ISBN → {newIsbn?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "miss"}");

Console.WriteLine();
Console.WriteLine($"{"tier",-10} {"hits",8} {"misses",8} {"back-fills",11}   (whole run, from Stockpile's metrics)");
foreach (var tier in chain.Tiers)
{
    Console.WriteLine($"{tier.Name,-10} {counters.Get(tier.Name, "hit"),8} {counters.Get(tier.Name, "miss"),8} {counters.Get(tier.Name, "backfill"),11}");
}

Console.WriteLine();
Console.WriteLine($"first read (start-up)  {first.Median.TotalMicroseconds,8:F1} µs ({first.Queries} database queries)");
Console.WriteLine($"reads by id: cold, median {cold.Median.TotalMicroseconds,8:F1} µs/read, mean {cold.PerRead.TotalMicroseconds,8:F1} ({cold.Queries} database queries)");
Console.WriteLine($"reads by id: warm, median {warm.Median.TotalMicroseconds,8:F1} µs/read, mean {warm.PerRead.TotalMicroseconds,8:F1} ({warm.Queries} database queries)");
return fresh?.Title.StartsWith("Edited", StringComparison.Ordinal) == true && oldIsbn is null && newIsbn is not null ? 0 : 1;

async Task<(TimeSpan PerRead, TimeSpan Median, int Queries)> TimeReadsAsync<T>(string label, IEnumerable<int> keys, Func<int, ValueTask<T?>> read)
    where T : class
{
    var list = keys.ToArray();
    var times = new TimeSpan[list.Length];
    var before = queries.Count;
    var found = 0;
    for (var i = 0; i < list.Length; i++)
    {
        var started = Stopwatch.GetTimestamp();
        found += await read(list[i]) is null ? 0 : 1;
        times[i] = Stopwatch.GetElapsedTime(started);
    }

    var perRead = TimeSpan.FromTicks(times.Sum(static t => t.Ticks) / list.Length);
    Array.Sort(times);
    var median = times[times.Length / 2];
    Console.WriteLine($"{label,-36} {list.Length,4} reads, {found,4} found, {queries.Count - before,4} database queries, median {median.TotalMicroseconds,8:F1} µs/read, mean {perRead.TotalMicroseconds,8:F1}");
    return (perRead, median, queries.Count - before);
}

static async Task SeedAsync(IDbContextFactory<LibraryContext> contexts)
{
    await using var db = await contexts.CreateDbContextAsync();
    await db.Database.EnsureCreatedAsync();
    if (!await db.Books.AnyAsync())
    {
        db.Books.AddRange(Enumerable.Range(1, BookCount).Select(i => new Book { Id = i, Isbn = Isbn(i), Title = $"Book {i}", Shelf = Shelf(i), Position = Position(i) }));
        await db.SaveChangesAsync();
        Console.WriteLine($"created and seeded {BookCount} books");
    }
}

static string Isbn(int id) => $"978-0-{id:D6}";

static string Shelf(int id) => $"S{id % 10}";

static int Position(int id) => id / 10;
