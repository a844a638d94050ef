using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Two app instances as an application registers them (memory → Redis → EF Core, the backplane, the interceptor, a
/// cache on memory over Redis for cached queries, another for values under token keys, invalidation tokens on Redis),
/// over one torture database.
/// </summary>
internal static class TortureApps
{
    /// <summary>Starts A on <paramref name="redisA"/> and B on <paramref name="redisB"/> (one server, or two nodes of a cluster).</summary>
    /// <param name="redisA">A's Redis configuration.</param>
    /// <param name="redisB">B's Redis configuration.</param>
    /// <param name="database">The database both instances' contexts and EF Core tiers use.</param>
    /// <param name="window">Added to both instances' contexts, after the Stockpile interceptor.</param>
    /// <param name="failFast">Quick timeouts, reconnects and breaker, for the cases that take Redis away.</param>
    /// <param name="policy">What the interceptor does after a commit: evict, or write the committed state through.</param>
    /// <param name="tunnelA">A's connections go through it (a <see cref="ClusterCut"/>), B's do not.</param>
    /// <param name="cachedQueries">Whether the instances have a query cache (on memory over Redis).</param>
    /// <param name="configureA">More of A's Redis options (after the others).</param>
    /// <param name="evictInBackground">
    /// <see cref="StockpileOptions.EvictSharedTiersInBackground"/>. Off unless asked: the workload reads Redis alone and
    /// holds it to every returned write, which is the guarantee of the awaited eviction (with it on, Redis follows a
    /// save's return by the eviction behind it; this process's reads never see the gap).
    /// </param>
    public static Task<AppPair> StartAsync(string redisA, string redisB, TortureDatabase database, CommitWindow window, bool failFast, StockpileCommitPolicy policy = StockpileCommitPolicy.Evict, StackExchange.Redis.Configuration.Tunnel? tunnelA = null, bool cachedQueries = true, bool evictInBackground = false, Action<RedisStoreOptions>? configureA = null)
    {
        Action<RedisStoreOptions>? redis = failFast ? TestStores.FailFast : null;
        Action<RedisStoreOptions>? redisOfA = tunnelA is null && configureA is null ? redis : o =>
        {
            redis?.Invoke(o);
            if (tunnelA is not null)
            {
                o.ConfigurationOptions ??= RedisTestEnvironment.CreateOptions(o.Configuration!);
                o.ConfigurationOptions.Tunnel = tunnelA;
                o.Configuration = null;
            }

            configureA?.Invoke(o);
        };
        var addDatabase = EfCoreApps.Database(database.Configure, window);
        return AppPair.StartAsync(redisA, redisB, cachedQueries ? static b => AddTiers(b.AddRedisCache()) : AddTiers, services =>
        {
            addDatabase(services);
            services.Configure<StockpileInterceptorOptions>(o => o.DefaultPolicy = policy);
            services.Configure<StockpileOptions>(o => o.EvictSharedTiersInBackground = evictInBackground);
        }, redisOfA, redis);
    }

    /// <summary>The name of each instance's process-memory cache for values under token keys (<see cref="TortureWorkload"/>).</summary>
    public const string TokenCache = "torture-tokens";

    /// <summary>
    /// The database tier; invalidation tokens on Redis, and a cache on memory over Redis for the values kept under token
    /// keys (a Redis-backed <see cref="IStockpileCache"/>, whose get-or-create must ride out the faults: its memory level
    /// alone would not show a value stale in Redis). (The query cache, when wanted, is the default cache, on memory over Redis.)
    /// </summary>
    private static void AddTiers(IStockpileBuilder builder) =>
        EfCoreApps.AddDatabaseTier(builder.AddRedisCache(TokenCache).AddRedisInvalidationTokens());

    public static int[] Ids() => [.. Enumerable.Range(1, TortureSettings.Rows)];

    /// <summary>
    /// Gets a seed for the workers: the one <see cref="TortureReplayAttribute"/> gave the case (named in its failure);
    /// else <c>STOCKPILE_TORTURE_SEED</c> to replay a printed one, else a fresh one.
    /// </summary>
    public static int Seed() => TortureReplayAttribute.SeedOfCurrentTest() ?? TortureSettings.ChooseSeed();
}
