using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (fail-safe), lane gaps8: an error Redis answers (a script's <c>WRONGTYPE</c>, <c>OOM</c>, a Lua error) is not
/// an outage. A cache or store write that meets one reaches its caller as an exception naming what was written (the
/// cache and key, or the store, type and key) and Redis's reason, never as Redis's bare error text; a value a
/// get-or-create made and writes in the background logs it at Error with the reason; both count it in
/// <c>stockpile.store.errors</c>; the circuit never opens for it.
/// </summary>
[NonParallelizable]
public sealed class Issue9ScriptErrorTests
{
    private const int Attempts = 8; // more than the breaker's default threshold (5)

    [Test]
    public async Task CacheSetAsync_RedisAnswersAScriptError_ThrowsNamingTheCacheKeyAndReason_CircuitStaysClosed()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        using var logs = new CapturingLoggerProvider();
        using var errors = new ErrorCounter();
        var (cache, cachePrefix, storePrefix) = Create(connection, RedisCacheLayout.RedisOnly, logs);
        await using var _ = cache;
        var key = "k-" + Guid.NewGuid().ToString("N");
        await PlantHashAsync(connection, storePrefix, cachePrefix, key);

        for (var i = 0; i < Attempts; i++)
        {
            var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.SetAsync(key, "v"));
            Assert.Multiple(() =>
            {
                Assert.That(error!.Message, Does.Contain("cache:" + cachePrefix).And.Contain(key).And.Contain("set").And.Contain("WRONGTYPE"));
                Assert.That(error.InnerException, Is.InstanceOf<RedisServerException>());
            });
        }

        // The circuit stayed closed: another key is written and read at once.
        await cache.SetAsync(key + "-other", "w");
        Assert.That(await cache.GetAsync<string>(key + "-other"), Is.EqualTo("w"));
        var entries = logs.Entries;
        Assert.Multiple(() =>
        {
            Assert.That(entries.Where(static e => e.EventId.Name is "CircuitOpened" or "CacheWriteSkipped" or "CacheWriteSkippedCircuitOpen"), Is.Empty, "a server error is no outage");
            Assert.That(entries.Where(e => e.Message.Contains(key, StringComparison.Ordinal) && e.Level > LogLevel.Debug), Is.Empty, "no key in a log line above Debug");
            Assert.That(errors.Count("cache:" + cachePrefix, "set"), Is.EqualTo(Attempts));
        });
    }

    [Test]
    public async Task CacheMadeValueWrite_RedisAnswersAScriptError_LoggedAtErrorWithTheReasonAndCounted()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        using var logs = new CapturingLoggerProvider();
        using var errors = new ErrorCounter();
        var (cache, cachePrefix, storePrefix) = Create(connection, RedisCacheLayout.MemoryThenRedis, logs);
        await using var _ = cache;
        var key = "k-" + Guid.NewGuid().ToString("N");
        await PlantHashAsync(connection, storePrefix, cachePrefix, key);

        Assert.That(await cache.GetOrCreateAsync(key, 0, static (_, _) => ValueTask.FromResult("made")), Is.EqualTo("made"));
        await ((LayeredCacheTier)cache.Tier).SettledAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var entries = logs.Entries;
        Assert.Multiple(() =>
        {
            Assert.That(entries.Where(static e => e.Level == LogLevel.Error && e.Message.Contains("WRONGTYPE", StringComparison.Ordinal)), Has.Exactly(1).Items, "the made value's failed write, at Error, with Redis's reason");
            Assert.That(entries.Where(static e => e.EventId.Name is "CircuitOpened" or "CacheWriteSkipped"), Is.Empty, "a server error is no outage");
            Assert.That(entries.Where(e => e.Message.Contains(key, StringComparison.Ordinal) && e.Level > LogLevel.Debug), Is.Empty, "no key in a log line above Debug");
            Assert.That(errors.Count("cache:" + cachePrefix, "set"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task StorePutAsync_RedisAnswersOom_ThrowsNamingTheTypeKeyAndReason_CircuitStaysClosed()
    {
        await using var server = await RedisServer.StartAsync();
        var options = new RedisStoreOptions { Configuration = server.ConnectionString, KeyPrefix = TestStores.UniquePrefix() };
        await using var store = await RedisStore.ConnectAsync(options);
        var product = TestStores.NewProduct("v1");
        await store.PutAsync(product);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var node = admin.GetServers()[0];
        await node.ConfigSetAsync("maxmemory", "1");
        try
        {
            for (var i = 0; i < Attempts; i++)
            {
                product.Name = "v" + (i + 2);
                var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await store.PutAsync(product));
                Assert.Multiple(() =>
                {
                    Assert.That(error!.Message, Does.Contain(nameof(Product)).And.Contain(product.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("OOM"));
                    Assert.That(error.InnerException, Is.InstanceOf<RedisServerException>());
                });
            }

            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed), "a server error is no outage");
        }
        finally
        {
            await node.ConfigSetAsync("maxmemory", "0");
        }

        product.Name = "v-last";
        await store.PutAsync(product);
        Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v-last"));
    }

    [Test]
    public async Task StoreClearAsync_RedisAnswersOom_ThrowsNamingTheTypeAndReason_CircuitStaysClosed()
    {
        await using var server = await RedisServer.StartAsync();
        var options = new RedisStoreOptions { Configuration = server.ConnectionString, KeyPrefix = TestStores.UniquePrefix() };
        await using var store = await RedisStore.ConnectAsync(options);
        await store.PutAsync(TestStores.NewProduct());
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var node = admin.GetServers()[0];
        await node.ConfigSetAsync("maxmemory", "1");
        try
        {
            for (var i = 0; i < Attempts; i++)
            {
                var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await store.ClearAsync(typeof(Product)));
                Assert.Multiple(() =>
                {
                    Assert.That(error!.Message, Does.Contain(nameof(Product)).And.Contain("OOM"));
                    Assert.That(error.InnerException, Is.InstanceOf<RedisServerException>());
                });
            }

            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed), "a server error is no outage");
        }
        finally
        {
            await node.ConfigSetAsync("maxmemory", "0");
        }
    }

    /// <summary>A hash under the key's write fence: every script that fences the key answers <c>WRONGTYPE</c>; reads (an <c>MGET</c>) see nil.</summary>
    private static async Task PlantHashAsync(ConnectionMultiplexer connection, string storePrefix, string cachePrefix, string key) =>
        await connection.GetDatabase().HashSetAsync(storePrefix + "#cache:" + cachePrefix + ":#fence:{" + key + "}", "not", "a fence");

    private static (StockpileCache Cache, string CachePrefix, string StorePrefix) Create(ConnectionMultiplexer connection, RedisCacheLayout layout, CapturingLoggerProvider logs)
    {
        var cachePrefix = "c" + Guid.NewGuid().ToString("N")[..8];
        var storePrefix = TestStores.UniquePrefix();
        var logger = logs.CreateLogger("cache");
        var cache = RedisCacheFactory.Create(new StockpileCacheOptions { KeyPrefix = cachePrefix }, _ => new(connection), storePrefix, layout, out _, logger);
        return (cache, cachePrefix, storePrefix);
    }

    /// <summary>Counts <c>stockpile.store.errors</c> by tier and operation.</summary>
    private sealed class ErrorCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string? Tier, string? Operation)> _seen = [];

        public ErrorCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StockpileDiagnostics.MeterName && instrument.Name == "stockpile.store.errors")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? tier = null, operation = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "stockpile.tier")
                    {
                        tier = tag.Value as string;
                    }
                    else if (tag.Key == "stockpile.operation")
                    {
                        operation = tag.Value as string;
                    }
                }

                lock (_seen)
                {
                    for (var i = 0; i < value; i++)
                    {
                        _seen.Add((tier, operation));
                    }
                }
            });
            _listener.Start();
        }

        public int Count(string tier, string operation)
        {
            lock (_seen)
            {
                return _seen.Count(s => s.Tier == tier && s.Operation == operation);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
