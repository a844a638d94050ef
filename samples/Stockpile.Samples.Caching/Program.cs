using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stockpile;
using Stockpile.Redis.Caching;
using Stockpile.Samples.Caching;

// The cache beside the entities: a HybridCache, the cache operations, batch get-or-create with one SQLite query for
// every miss, named caches, memoize, disable scopes and tags. On process memory, or on memory over Redis (with the
// backplane and the stampede lock across processes) when REDIS_URL is set.
var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL");
var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var stockpile = services.AddStockpile().AddMemoryStore();
if (!string.IsNullOrWhiteSpace(redisUrl))
{
    stockpile.AddRedisStore(o => { o.Configuration = redisUrl; o.KeyPrefix = "caching-sample:"; })
        .AddRedisCache(configure: o => { o.KeyPrefix = "shop"; o.DistributedStampedeLock = true; })
        .AddRedisCache("sessions", RedisCacheLayout.RedisOnly, o => o.DefaultExpiration = TimeSpan.FromMinutes(20));
}
else
{
    stockpile.AddCache(o => o.KeyPrefix = "shop")
        .AddCache("sessions", o => o.DefaultExpiration = TimeSpan.FromMinutes(20));
}

await using var provider = services.BuildServiceProvider();
var cache = provider.GetRequiredService<IStockpileCache>();
var sessions = provider.GetRequiredKeyedService<IStockpileCache>("sessions");
await cache.FlushAsync(); // start cold, even when Redis kept values from an earlier run
await sessions.FlushAsync();
Console.WriteLine(string.IsNullOrWhiteSpace(redisUrl) ? "cache tiers: memory" : "cache tiers: memory → redis");

// 1. Code written for HybridCache uses Stockpile.
var hybrid = provider.GetRequiredService<HybridCache>();
var greetings = 0;
for (var i = 0; i < 3; i++)
{
    await hybrid.GetOrCreateAsync("greeting", ct => new ValueTask<string>($"hello #{++greetings}"), tags: ["greetings"]);
}

Console.WriteLine($"HybridCache: 3 reads of 'greeting', factory ran {greetings} time(s)");

// 2. The cache operations.
var firstAdd = await cache.AddAsync("import:lock", "worker-1");
var secondAdd = await cache.AddAsync("import:lock", "worker-2");
await cache.IncrementAsync("hits:today");
var hits = await cache.IncrementAsync("hits:today", 2);
var pulled = await cache.PullAsync<string>("import:lock");
var pulledAgain = await cache.PullAsync<string>("import:lock");
Console.WriteLine($"operations: add {firstAdd} then {secondAdd}; hits:today = {hits}; pull '{pulled}' then '{pulledAgain ?? "nothing"}'");

// 3. Batch get-or-create: one factory call (one query) for all the keys that missed.
await using var database = await PriceDatabase.CreateAsync(100);
var skus = Enumerable.Range(1, 100).Select(PriceDatabase.Sku).ToArray();
var some = await cache.GetOrCreateManyAsync<decimal>(skus.Take(50), database.PricesAsync);
var all = await cache.GetOrCreateManyAsync<decimal>(skus, database.PricesAsync);
Console.WriteLine($"batch: {some.Count} then {all.Count} prices in {database.Queries} queries; the second asked only for its {database.LastAsked} misses");

// 4. Named caches: their own namespace and defaults, as keyed services or through the provider.
await sessions.SetAsync("user:1", "ann");
var sameCache = provider.GetRequiredService<IStockpileCacheProvider>().GetCache("sessions");
Console.WriteLine($"named caches: sessions has user:1 = {await sameCache.GetAsync<string>("user:1")}, the default cache has {await cache.GetAsync<string>("user:1") ?? "nothing"}");

// 5. Memoize: results cached under the function's name and arguments.
var computed = 0;
var square = cache.Memoize<int, int>("square", (n, ct) => new ValueTask<int>(++computed > 0 ? n * n : 0));
var squares = (await square(12, default), await square(12, default), await square(13, default));
Console.WriteLine($"memoize: square(12) = {squares.Item1} twice and square(13) = {squares.Item3}, computed {computed} time(s)");

// 6. Disable scopes: nothing is read from or written to any Stockpile cache in this async flow.
string? inside;
using (cache.Disable())
{
    inside = await cache.GetAsync<string>("greeting");
}

Console.WriteLine($"disable: greeting inside the scope = {inside ?? "nothing"}, after it = {await cache.GetAsync<string>("greeting")}");

// 7. Tags: removing one makes every value carrying it unreachable, in one write.
await cache.RemoveByTagAsync("greetings");
Console.WriteLine($"tags: after RemoveByTagAsync(\"greetings\"), greeting = {await cache.GetAsync<string>("greeting") ?? "nothing"}");
