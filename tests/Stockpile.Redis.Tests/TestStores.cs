using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>Makes Redis stores over a given connection, each under a prefix no other test uses.</summary>
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

    /// <summary>Options for outage tests: quick timeouts and reconnects, a breaker that opens after 3 failures for 300 ms.</summary>
    public static void FailFast(RedisStoreOptions options)
    {
        var connection = RedisTestEnvironment.FastReconnecting(options.Configuration!);
        connection.SyncTimeout = TimeSpan.FromMilliseconds(500);
        connection.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        options.Configuration = null;
        options.ConnectionOptions = connection;
        options.CircuitBreaker.FailureThreshold = 3;
        options.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(300);
    }

    public static RedisStore Create(IRedisConnection connection, Action<RedisStoreOptions>? configure = null, ILoggerFactory? loggerFactory = null, TimeProvider? breakerTime = null)
    {
        var options = new RedisStoreOptions { Configuration = RedisTestEnvironment.ConnectionString, KeyPrefix = UniquePrefix() };
        configure?.Invoke(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var link = new RedisLink(Task.FromResult(connection), ownsConnection: false, "test", options.CircuitBreaker, breakerTime ?? TimeProvider.System, loggerFactory.CreateLogger<RedisLink>(), RedisMetrics.Shared);
        return new RedisStore(options, link, ownsLink: true, loggerFactory.CreateLogger<RedisStore>(), RedisMetrics.Shared);
    }

    /// <summary>Gets the full key an object is kept under in a store with <paramref name="prefix"/>.</summary>
    public static string KeyOf(string prefix, EntityKey key, bool polymorphic = false) => prefix + key.Encode(polymorphic);

    /// <summary>Lists the keys under a prefix: values, pointers and side records, not the short-lived leases of reads that missed.</summary>
    public static async Task<List<string>> KeysUnderAsync(IRedisConnection connection, string prefix, bool withLeases = false)
    {
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var page = (await connection.ExecuteAsync(new RedisCommand("SCAN", cursor, "MATCH", RedisKeyPatterns.EscapeGlob(prefix) + "*", "COUNT", 1000))).AsArray()!;
            cursor = page[0].AsString()!;
            keys.AddRange(page[1].AsArray()!.Select(k => k.AsString()!).Where(k => withLeases || !k.EndsWith(RedisScripts.FenceSuffix, StringComparison.Ordinal)));
        }
        while (cursor != "0");
        return keys;
    }
}
