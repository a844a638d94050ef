using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Caching;
using Stockpile.Redis.Tests.Fakes;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (lane pub9): a value a get-or-create made on memory over Redis is announced to the other instances
/// by the <c>SetMade</c> script that stores it (a <c>PUBLISH</c> in the same script), not by a second round trip after
/// the script's answer: one call per made value's write, and the message leaves only with a write that landed.
/// Instance A's calls go through a <see cref="FaultyRedis"/>, which names each one; instance B, on a multiplexer of its
/// own, holds the key in memory. Every wait is for an event (B's eviction, a held call), never for a time.
/// </summary>
public sealed class Issue12MadeValueMessageTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    /// <summary>Where the two instances' multiplexers connect.</summary>
    public enum Connection
    {
        /// <summary>The shared redis-server.</summary>
        Server,

        /// <summary>The shared three-master cluster: the script's <c>PUBLISH</c> leaves from the entry's node.</summary>
        Cluster,

        /// <summary>The shared redis-server, with a <c>ChannelPrefix</c> on both connections.</summary>
        ChannelPrefix,
    }

    [Test]
    public async Task GetOrCreateAsync_MadeValueStored_AnotherInstancesMemoryCopyIsEvicted_TheScriptAnnouncingItUnlessTheChannelIsPrefixed([Values] Connection connection)
    {
        await using var pair = connection == Connection.ChannelPrefix
            ? await Pair.StartAsync(cluster: false, static options => options.ChannelPrefix = RedisChannel.Literal("pub9:"))
            : await Pair.StartAsync(connection == Connection.Cluster);
        await pair.HoldInMemoryOfBOnlyAsync("k");

        pair.Faulty.Reset();
        var evicted = RedisCacheBackplaneTests.Evicted(pair.BBackplane, "k");
        await pair.MakeOnAAsync("k");
        await evicted.WaitAsync(s_bound);

        Assert.Multiple(async () =>
        {
            Assert.That(await pair.B.GetAsync<string>("k"), Is.EqualTo("made by A"), "B dropped its memory copy and read A's made value from Redis");
            Assert.That(pair.Faulty.Commands.Count(static c => c == nameof(IDatabase.ScriptEvaluateAsync)), Is.EqualTo(1), "one script stored the value");
            Assert.That(
                pair.Faulty.Commands.Count(static c => c == nameof(ISubscriber.PublishAsync)),
                Is.EqualTo(connection == Connection.ChannelPrefix ? 1 : 0),
                "the script sent the message, unless the connection prefixes channels (a script names its channel as is): then the subscriber publishes after the write");
        });
    }

    [Test]
    public async Task GetOrCreateAsync_MadeValueStored_ItsOwnMessageIsDropped_MemoryKeepsTheValue()
    {
        await using var pair = await Pair.StartAsync(cluster: false);
        var heardByA = Heard(pair.ABackplane);

        await pair.MakeOnAAsync("k");

        // B's message is published after A's script ran, on the same server: A hears them in that order.
        var marker = RedisCacheBackplaneTests.Evicted(pair.ABackplane, "marker");
        await pair.B.SetAsync("marker", "set by B");
        await marker.WaitAsync(s_bound);

        Assert.Multiple(() =>
        {
            Assert.That(heardByA, Has.None.EqualTo("k"), "A dropped its own message");
            Assert.That(((LayeredCacheTier)pair.A.Tier).Memory.Get("k"), Is.Not.Null, "A's memory still holds the value it made");
        });
    }

    [Test]
    public async Task GetOrCreateAsync_MadeValueRefused_NothingIsAnnounced()
    {
        await using var pair = await Pair.StartAsync(cluster: false);
        await using var c = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(pair.ConnectionB), pair.Prefix, RedisCacheLayout.RedisOnly, out _);
        var heardByB = Heard(pair.BBackplane);
        var (reached, release) = pair.Faulty.HoldNext(nameof(IDatabase.ScriptEvaluateAsync));

        Assert.That(await pair.A.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
        await reached.WaitAsync(s_bound);
        await c.SetAsync("k", "set by C"); // Redis alone: no message; its fence refuses A's write
        release.SetResult();
        await ((LayeredCacheTier)pair.A.Tier).SettledAsync().WaitAsync(s_bound);

        // A's next message leaves after its refused script ran, on the same server: B hears them in that order.
        var marker = RedisCacheBackplaneTests.Evicted(pair.BBackplane, "marker");
        await pair.A.SetAsync("marker", "set by A");
        await marker.WaitAsync(s_bound);

        Assert.Multiple(async () =>
        {
            Assert.That(heardByB, Has.None.EqualTo("k"), "a refused write announces nothing");
            Assert.That(await c.GetAsync<string>("k"), Is.EqualTo("set by C"), "the later write stands in Redis");
            Assert.That(await pair.A.GetAsync<string>("k"), Is.EqualTo("set by C"), "A's memory dropped the refused value");
        });
    }

    /// <summary>Every key <paramref name="backplane"/> evicts from now on, for another instance's message.</summary>
    private static ConcurrentQueue<string?> Heard(RedisCacheBackplane backplane)
    {
        var heard = new ConcurrentQueue<string?>();
        backplane.Evicted += heard.Enqueue;
        return heard;
    }

    /// <summary>
    /// Two instances of one cache (memory over Redis, each with its backplane) on their own multiplexers: A's calls
    /// through <see cref="Faulty"/>; both subscribed, and A's scripts loaded, before a test counts anything.
    /// </summary>
    private sealed class Pair : IAsyncDisposable
    {
        private ConnectionMultiplexer _connectionA = null!;

        public ConnectionMultiplexer ConnectionB { get; private set; } = null!;

        public FaultyRedis Faulty { get; private set; } = null!;

        public string Prefix { get; } = TestStores.UniquePrefix();

        public StockpileCache A { get; private set; } = null!;

        public RedisCacheBackplane ABackplane { get; private set; } = null!;

        public StockpileCache B { get; private set; } = null!;

        public RedisCacheBackplane BBackplane { get; private set; } = null!;

        public static async Task<Pair> StartAsync(bool cluster, Action<ConfigurationOptions>? configure = null)
        {
            var pair = new Pair();
            pair._connectionA = await Connect(cluster, configure);
            pair.ConnectionB = await Connect(cluster, configure);
            pair.Faulty = new FaultyRedis(pair._connectionA);
            var link = new RedisLink(Task.FromResult(pair.Faulty.Multiplexer), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, pair.Faulty.Database, pair.Faulty.Subscriber);
            pair.A = RedisCacheFactory.Create(new StockpileCacheOptions(), link, ownsLink: true, pair.Prefix, RedisCacheLayout.MemoryThenRedis, 1_000, throwOnUnavailableWrites: false, out var a, null, null, null, RedisMetrics.Shared);
            pair.ABackplane = a!;
            var connectionB = pair.ConnectionB;
            pair.B = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), pair.Prefix, RedisCacheLayout.MemoryThenRedis, out var b);
            pair.BBackplane = b!;
            await Task.WhenAll(pair.ABackplane.Subscribed, pair.BBackplane.Subscribed).WaitAsync(s_bound);

            // The first call loads the scripts and connects; what the tests count is the steady state.
            await pair.MakeOnAAsync("warm");
            return pair;
        }

        /// <summary>A's get-or-create of <paramref name="key"/> misses and makes "made by A"; returns once its write has ended.</summary>
        public async Task MakeOnAAsync(string key)
        {
            Assert.That(await A.GetOrCreateAsync(key, 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
            await ((LayeredCacheTier)A.Tier).SettledAsync().WaitAsync(s_bound);
        }

        /// <summary>
        /// Leaves <paramref name="key"/> in B's memory and nowhere else: B sets it (A hears of it first), then its entry
        /// is deleted from Redis by hand, with no message, as if Redis had let it expire before B's memory did.
        /// </summary>
        public async Task HoldInMemoryOfBOnlyAsync(string key)
        {
            var heard = RedisCacheBackplaneTests.Evicted(ABackplane, key);
            await B.SetAsync(key, "set by B");
            await heard.WaitAsync(s_bound);
            var redisKey = ((RedisCacheTier)((LayeredCacheTier)A.Tier).Shared).KeyOf(key);
            Assert.That(await ConnectionB.GetDatabase().KeyDeleteAsync(redisKey), Is.True);
            Assert.That(((LayeredCacheTier)B.Tier).Memory.Get(key), Is.Not.Null, "B's memory holds the key");
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            await _connectionA.DisposeAsync();
            await ConnectionB.DisposeAsync();
        }

        private static Task<ConnectionMultiplexer> Connect(bool cluster, Action<ConfigurationOptions>? configure) =>
            cluster ? Cluster.RedisClusterEnvironment.ConnectAsync(configure) : RedisTestEnvironment.ConnectAsync(configure);
    }
}
