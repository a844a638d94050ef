using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12 (items 2 and 3, the cache's side): while the circuit is closed, a get-or-create's miss sends its Redis read,
/// its made value's write and the backplane's message directly, without the breaker's pipeline
/// (<c>RedisCacheTier.Direct.cs</c>). Its failures must still reach the shared breaker as the pipeline counts them, an
/// open circuit must still keep the cache off Redis, and the writes that failed must be cleaned up before the cache
/// uses Redis again. A private redis-server is frozen (<c>SIGSTOP</c>, which keeps its data and its sockets) under a
/// cache beside the store (<c>AddRedisCache</c>, the store's link and breaker), then thawed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Issue12CacheDirectPathTests
{
    private const int Attempts = 20;

    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task GetOrCreateAsync_RedisFrozenOnTheDirectPath_OpensTheCircuit_StaysOffRedis_CleansUpAndComesBack()
    {
        await using var server = await RedisServer.StartAsync();
        await using var app = await AppInstance.StartAsync(server.ConnectionString, "direct:", static b => b.AddRedisCache(), configureRedis: TestStores.FailFast);
        var cache = app.Services.GetRequiredService<StockpileCache>();
        var layered = (LayeredCacheTier)cache.Tier;
        var tier = (RedisCacheTier)layered.Shared;
        Assert.That(await cache.GetOrCreateAsync("warm", 1, static (v, _) => ValueTask.FromResult(v)), Is.EqualTo(1));
        await layered.SettledAsync();
        Assert.That(tier.TryEnterDirect(out _), Is.True, "connected with the circuit closed: a miss's calls go to Redis directly");

        var made = new List<string>();
        await server.FreezeAsync();
        try
        {
            // Reads alone: nothing is remembered, so every one goes directly, and only their reported failures can open
            // the circuit (once the successes of the start-up have left the breaker's window).
            var reads = 0;
            await RedisBackplaneTests.WaitUntilAsync(
                async () =>
                {
                    Assert.That(await cache.GetAsync<int?>("frozen-" + reads++), Is.Null, "a failed read is a miss, no exception");
                    return app.Redis.CircuitState != RedisCircuitState.Closed;
                },
                s_patience);
            Assert.That(tier.MissedKeyCount, Is.Zero, "no write was made: the direct reads' failures opened the shared circuit");
            Assert.That(tier.TryEnterDirect(out _), Is.False, "a circuit that is not closed sends nothing directly");

            var refused = app.Count("CacheReadSkippedCircuitOpen");
            for (var i = 0; i < Attempts && app.Count("CacheReadSkippedCircuitOpen") == refused; i++)
            {
                var key = "while-open-" + i;
                made.Add(key);
                Assert.That(await cache.GetOrCreateAsync(key, i, static (v, _) => ValueTask.FromResult(v)), Is.EqualTo(i), "the factory's value, no exception");
            }

            Assert.That(app.Count("CacheReadSkippedCircuitOpen"), Is.GreaterThan(refused), "while open, a read is refused by the breaker, not sent to wait for a timeout");
            await layered.SettledAsync();
            Assert.That(tier.MissedKeyCount, Is.EqualTo(made.Count), "every made value's write Redis did not take is remembered");
        }
        finally
        {
            await server.ThawAsync();
        }

        await UntilDirectAsync(app, tier);

        // A made value's write on the direct path that Redis does not answer: the server is frozen while the factory runs.
        Assert.That(await cache.GetOrCreateAsync("frozen-write", server, static async (s, _) =>
        {
            await s.FreezeAsync();
            return 5;
        }), Is.EqualTo(5));
        try
        {
            await layered.SettledAsync();
            Assert.That(tier.MissedKeyCount, Is.EqualTo(1), "the direct write that timed out is remembered (it may land)");
            Assert.That(tier.TryEnterDirect(out _), Is.False, "a clean-up to run first keeps calls off the direct path");
        }
        finally
        {
            await server.ThawAsync();
        }

        made.Add("frozen-write");
        await UntilDirectAsync(app, tier);
        Assert.That(await cache.GetOrCreateAsync("after", 9, static (v, _) => ValueTask.FromResult(v)), Is.EqualTo(9));
        await layered.SettledAsync();
        await using var direct = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var redis = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(direct), "direct:", RedisCacheLayout.RedisOnly, out _);
        await using (redis)
        {
            foreach (var key in made)
            {
                Assert.That(await redis.GetAsync<int?>(key), Is.Null, $"Redis holds no value whose write failed or was skipped ({key}): removed, even if it landed late");
            }

            Assert.That(await redis.GetAsync<int?>("after"), Is.EqualTo(9), "the direct path writes again once the circuit closed");
        }
    }

    /// <summary>
    /// Waits until the remembered keys were removed (an increment is never skipped, and the clean-up runs before it),
    /// then until the circuit is closed and the tier's calls go directly again.
    /// </summary>
    private static async Task UntilDirectAsync(AppInstance app, RedisCacheTier tier)
    {
        await Issue11QueryInvalidationOutageTests.WaitUntilConnectedAsync(app);
        Assert.That(tier.MissedKeyCount, Is.Zero, "the remembered keys were removed from Redis");
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(tier.TryEnterDirect(out _)), s_patience);
        Assert.That(app.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed), "closed again after the thaw");
    }
}
