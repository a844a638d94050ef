using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, session 10 (lane ctier10): the cache tier's write clock (the stamp its sets, adds and increments carry)
/// never saw the fences of its own removes, pulls, made values and flushes, since those scripts did not return their
/// time. A set sent right after a remove of the same key by the same instance could then be stamped before that
/// remove's fence; arriving late (a busy machine), it was refused as overtaken: a set its caller waited for became a
/// miss. Now every script that fences answers its fence, and the tier observes it: after any cache write returns, the
/// tier's stamp is at least every fence that write set (read here from Redis itself). Each write is this instance's
/// first, so on the old code the clock had seen no server time at all (its stamp was 0).
/// </summary>
public sealed class Issue9CacheOwnFenceStampTests
{
    public enum Write
    {
        Remove,
        Pull,
        Made,
        MadeInBackground,
        Flush,
    }

    [Test]
    public async Task Write_ReturnsItsFence_TheNextStampIsNotOlder([Values] Write write, [Values] bool cluster)
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        RedisCacheTier? tier = null;
        LayeredCacheTier? layered = null;
        // A made value written in the background (after the answer) takes the fenced write (RedisCacheScripts.SetMade);
        // Redis alone writes it as a set, before the answer.
        await using var cache = new StockpileCache(new StockpileCacheOptions { WriteMadeValuesInBackground = write == Write.MadeInBackground }, (clock, serializer, o) =>
        {
            tier = new RedisCacheTier(new RedisLink(Task.FromResult<IConnectionMultiplexer>(connection), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared), ownsLink: true, prefix, o.KeyPrefix, clock, serializer, 1_000, throwOnUnavailableWrites: false, NullLogger.Instance, StockpileMetrics.Shared, RedisMetrics.Shared);
            return write == Write.MadeInBackground ? layered = new LayeredCacheTier(new MemoryCacheTier(clock), tier) : tier;
        });
        await using var other = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), prefix, RedisCacheLayout.RedisOnly, out _);
        var key = "k-" + Guid.NewGuid().ToString("N");
        if (write is Write.Remove or Write.Pull)
        {
            await other.SetAsync(key, "v");
        }

        switch (write)
        {
            case Write.Remove:
                Assert.That(await cache.RemoveAsync(key), Is.True);
                break;
            case Write.Pull:
                Assert.That(await cache.PullAsync<string>(key), Is.EqualTo("v"));
                break;
            case Write.Made:
            case Write.MadeInBackground:
                Assert.That(await cache.GetOrCreateAsync(key, 0, static (_, _) => ValueTask.FromResult("made")), Is.EqualTo("made"));
                if (layered is not null)
                {
                    await layered.SettledAsync();
                    Assert.That(await other.GetAsync<string>(key), Is.EqualTo("made"), "the made value was written to Redis");
                }

                break;
            default:
                await cache.FlushAsync();
                break;
        }

        var stamp = tier!.WriteStamp();
        var fenceKey = write == Write.Flush ? tier.FlushFenceKey : tier.FenceKeyOf(key);
        var fence = (long)await connection.GetDatabase().StringGetAsync(fenceKey);
        Assert.That(fence, Is.GreaterThan(0), "the write fenced");
        Assert.That(stamp, Is.GreaterThanOrEqualTo(fence), "the next write's stamp is not older than the fence this instance's write set");
    }
}
