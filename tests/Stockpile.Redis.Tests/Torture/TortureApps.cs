using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>Two app instances as an application registers them (memory → Redis → EF Core, the backplane, the interceptor), over one torture database.</summary>
internal static class TortureApps
{
    /// <summary>Starts A on <paramref name="redisA"/> and B on <paramref name="redisB"/> (one server, or two nodes of a cluster).</summary>
    /// <param name="redisA">A's Redis configuration.</param>
    /// <param name="redisB">B's Redis configuration.</param>
    /// <param name="database">The database both instances' contexts and EF Core tiers use.</param>
    /// <param name="window">Added to both instances' contexts, after the Stockpile interceptor.</param>
    /// <param name="failFast">Quick timeouts, reconnects and breaker, for the cases that take Redis away.</param>
    /// <param name="policy">What the interceptor does after a commit: evict, or write the committed state through.</param>
    public static Task<AppPair> StartAsync(string redisA, string redisB, TortureDatabase database, CommitWindow window, bool failFast, StockpileCommitPolicy policy = StockpileCommitPolicy.Evict)
    {
        var addDatabase = EfCoreApps.Database(database.Configure, window);
        return AppPair.StartAsync(redisA, redisB, EfCoreApps.AddDatabaseTier, services =>
        {
            addDatabase(services);
            services.Configure<StockpileInterceptorOptions>(o => o.DefaultPolicy = policy);
        }, failFast ? TestStores.FailFast : null);
    }

    public static int[] Ids() => [.. Enumerable.Range(1, TortureSettings.Rows)];

    /// <summary>Gets a seed for the workers: <c>STOCKPILE_TORTURE_SEED</c> to replay a printed one, else a fresh one.</summary>
    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("STOCKPILE_TORTURE_SEED"), out var seed) ? seed : Random.Shared.Next(1, 1_000_000);
}
