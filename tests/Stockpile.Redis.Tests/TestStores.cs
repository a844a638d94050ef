using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>Makes Redis stores over a given multiplexer, each under a prefix no other test uses.</summary>
internal static class TestStores
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100;

    public static string UniquePrefix() => $"sp-test:{Guid.NewGuid():N}:";

    /// <summary>Returns an id no other test uses.</summary>
    public static int NextId() => Interlocked.Increment(ref s_nextId);

    /// <summary>Returns a product with a fresh id, its SKU derived from it.</summary>
    public static Product NewProduct(string? name = null)
    {
        var id = NextId();
        return new Product { Id = id, Sku = $"SKU-{id}", Name = name ?? $"Product {id}", Price = 3m };
    }

    /// <summary>
    /// Options for outage tests: quick timeouts and reconnects, a breaker that opens when 2 calls (Polly's fewest)
    /// within 3 s all failed, for half a second (Polly's shortest break). While Redis is away the calls of an instance
    /// fail about once a second (each waits for the clean-up of the one before, which waits for a timeout): a window
    /// shorter than two of those would never see enough failures to open.
    /// </summary>
    public static void FailFast(RedisStoreOptions options)
    {
        options.ConfigurationOptions = RedisTestEnvironment.FastReconnecting(options.Configuration!);
        options.Configuration = null;
        options.CircuitBreaker.FailureThreshold = 2;
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(3);
        options.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(500);
    }

    /// <summary>Creates a store over a multiplexer it does not own.</summary>
    public static RedisStore Create(IConnectionMultiplexer multiplexer, Action<RedisStoreOptions>? configure = null, ILoggerFactory? loggerFactory = null, TimeProvider? breakerTime = null) =>
        Create(multiplexer, null, configure, loggerFactory, breakerTime, null);

    /// <summary>
    /// Creates a store whose calls go through <paramref name="faulty"/> (counted, failed on demand); with
    /// <paramref name="clockTime"/>, its <see cref="RedisWriteClock"/> counts local time by that clock (a fake one
    /// makes its lease stale at will: advance it past <see cref="RedisWriteClock.LeaseFreshnessMicros"/> after the
    /// store's last write, as a put stamped afterwards would be ahead of the server).
    /// </summary>
    public static RedisStore Create(FaultyRedis faulty, Action<RedisStoreOptions>? configure = null, ILoggerFactory? loggerFactory = null, TimeProvider? breakerTime = null, TimeProvider? clockTime = null) =>
        Create(faulty.Multiplexer, faulty, configure, loggerFactory, breakerTime, clockTime);

    /// <summary>Gets the full key an object is kept under in a store with <paramref name="prefix"/> (in the default layout, <see cref="RedisKeyLayout.Compact"/>, unless <paramref name="layout"/> says otherwise).</summary>
    public static string KeyOf(string prefix, EntityKey key, bool polymorphic = false, RedisKeyLayout layout = RedisKeyLayout.Compact) =>
        RedisKeyPatterns.ObjectKey(prefix, layout == RedisKeyLayout.Compact ? key.EncodeCompact(polymorphic) : key.Encode(polymorphic));

    /// <summary>Lists the keys of objects under a prefix: values, pointers and side records, and with <paramref name="withLeases"/> their fences (never the store-wide clear fence).</summary>
    public static async Task<List<string>> KeysUnderAsync(IConnectionMultiplexer multiplexer, string prefix, bool withLeases = false)
    {
        var keys = new List<string>();
        foreach (var server in multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: RedisKeyPatterns.ScanPattern(prefix), pageSize: 1000))
            {
                var text = (string)key!;
                if (RedisKeyPatterns.TryReadCanonicalKey(((byte[])key!).AsSpan(), prefix, out _) && (withLeases || !text.EndsWith(RedisScripts.FenceSuffix, StringComparison.Ordinal)))
                {
                    keys.Add(text);
                }
            }
        }

        return keys;
    }

    private static RedisStore Create(IConnectionMultiplexer multiplexer, FaultyRedis? faulty, Action<RedisStoreOptions>? configure, ILoggerFactory? loggerFactory, TimeProvider? breakerTime, TimeProvider? clockTime)
    {
        var options = new RedisStoreOptions { KeyPrefix = UniquePrefix() };
        configure?.Invoke(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var link = new RedisLink(
            Task.FromResult(multiplexer),
            ownsMultiplexer: false,
            "test",
            options.CircuitBreaker,
            breakerTime ?? TimeProvider.System,
            loggerFactory.CreateLogger<RedisLink>(),
            RedisMetrics.Shared,
            faulty is null ? null : faulty.Database,
            faulty is null ? null : faulty.Subscriber);
        return new RedisStore(options, link, ownsLink: true, loggerFactory.CreateLogger<RedisStore>(), RedisMetrics.Shared, clockTime);
    }
}
