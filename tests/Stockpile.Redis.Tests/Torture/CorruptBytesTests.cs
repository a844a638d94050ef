using System.Text;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Caching;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.KeyValue;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Issue 12, torture case 7: foreign or corrupt bytes under a Stockpile key (random bytes, truncated payloads, valid
/// JSON of another shape, a pointer where an object belongs or leading out of the store's prefix, a payload naming a
/// type with a side-effecting constructor) are a miss on every read path of the Redis store and of the cache on Redis,
/// on a server and on the cluster: never an exception, never another object, never an instance of a type the key does
/// not file.
/// </summary>
/// <param name="cluster">Whether to run against the three-master cluster.</param>
[TestFixture(false)]
[TestFixture(true)]
[Category("Torture")]
[NonParallelizable]
public sealed class CorruptBytesTests(bool cluster) : RedisFixture
{
    private protected override bool RunsOnCluster => cluster;

    [SetUp]
    public void ResetTrap() => SideEffect.Constructed = 0;

    [Test]
    public async Task StoreReads_CorruptBytesUnderPrimaryOrAlternateKey_AreAMiss_InstantiatingNothing()
    {
        await using var redis = TestStores.Create(_connection);
        var prefix = redis.KeyPrefixForTests;
        var database = _connection.GetDatabase();
        var payloads = await PayloadsAsync(redis, prefix);
        SideEffect.Constructed = 0;
        var tried = 0;
        foreach (var (name, bytes) in payloads)
        {
            var product = TestStores.NewProduct();
            var source = new FakeDatabase();
            await source.PutAsync(product);
            var chain = new ChainedStore([redis, source]);
            var primary = TestStores.KeyOf(prefix, EntityKey.For<Product>(product.Id));
            var alternate = TestStores.KeyOf(prefix, EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
            foreach (var key in new[] { primary, alternate })
            {
                await database.StringSetAsync(key, bytes);
                var reason = $"{name} under {(key == primary ? "the primary" : "the alternate")} key";

                Assert.That(await redis.GetAsync<Product, int>(product.Id), Is.Null, $"{reason}: hot path");
                Assert.That(await redis.GetAsync<Product>(EntityKey.For<Product>(product.Id)), Is.Null, $"{reason}: general path");
                Assert.That((await redis.GetManyAsync<Product, int>([product.Id, product.Id]))[0], Is.Null, $"{reason}: batch");
                Assert.That(await redis.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, $"{reason}: by alternate key");
                await database.StringSetAsync(key, bytes);
                Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), $"{reason}: the chain reads through to the database");
                await database.StringSetAsync(key, bytes);
                Assert.That((await chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Id, Is.EqualTo(product.Id), $"{reason}: by alternate key through the chain");
                Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), $"{reason}: read again");
                Assert.That((await redis.GetAsync<Product, int>(product.Id))?.Name, Is.Null.Or.EqualTo(product.Name), $"{reason}: Redis holds nothing, or the object back-filled");
                await database.KeyDeleteAsync(primary);
                await database.KeyDeleteAsync(alternate);
                tried += 7;
            }
        }

        Assert.That(SideEffect.Constructed, Is.Zero, "no read built an instance of a type the key does not file");
        TestContext.Progress.WriteLine($"corrupt bytes ({(cluster ? "cluster" : "server")}): {payloads.Count} payloads, {tried} reads, all misses");
    }

    [TestCase(RedisCacheLayout.RedisOnly)]
    [TestCase(RedisCacheLayout.MemoryThenRedis)]
    public async Task CacheReads_CorruptEntries_AreAMiss(RedisCacheLayout layout)
    {
        await using var redis = new RedisCacheConnection(layout, cluster);
        await redis.ConnectAsync();
        var cache = redis.Create(new StockpileCacheOptions());
        var database = redis.Connection.GetDatabase();
        var entries = CacheEntries();
        foreach (var (name, bytes) in entries)
        {
            var key = "k-" + Guid.NewGuid().ToString("N");
            var redisKey = $"{redis.StorePrefix}#cache:cache:{{{key}}}";
            await database.StringSetAsync(redisKey, bytes);

            Assert.That(await cache.GetAsync<Poco>(key), Is.Null, $"{name}: get");
            Assert.DoesNotThrowAsync(async () => await cache.ContainsAsync(key), $"{name}: contains");
            Assert.That((await cache.GetOrCreateManyAsync<Poco>([key], static (keys, _) => ValueTask.FromResult<IReadOnlyDictionary<string, Poco>>(keys.ToDictionary(k => k, _ => new Poco { Name = "made" }))))[key].Name, Is.EqualTo("made"), $"{name}: batch get-or-create");
            await database.StringSetAsync(redisKey, bytes);
            Assert.That((await cache.GetOrCreateAsync(key, 0, static (_, _) => ValueTask.FromResult(new Poco { Name = "made" }))).Name, Is.EqualTo("made"), $"{name}: get-or-create");
            Assert.That((await cache.GetAsync<Poco>(key))?.Name, Is.EqualTo("made"), $"{name}: replaced");
            await database.StringSetAsync(redisKey, bytes);
            Assert.That(await cache.PullAsync<Poco>(key), Is.Null, $"{name}: pull");
        }

        TestContext.Progress.WriteLine($"corrupt cache entries ({(cluster ? "cluster" : "server")}, {layout}): {entries.Count} entries, all misses");
    }

    /// <summary>Bytes no Stockpile put writes under an object's key, each with a name for the failure message.</summary>
    private async Task<List<(string Name, byte[] Bytes)>> PayloadsAsync(RedisStore redis, string prefix)
    {
        var random = new Random(12);
        // The named form (every object's before issue 9's short form, a derived type's still), built by hand.
        var valid = NamedPayload.Of(typeof(Product), """{"Id":1,"Sku":"S1","Name":"one","Price":0}"""u8);
        var nameLength = (valid[1] << 8) | valid[2];
        var header = valid.AsSpan(0, 3 + nameLength).ToArray();

        // A payload naming a type with a side-effecting constructor, as a foreign writer (or an older program) would leave it.
        var trap = new SideEffect { Id = TestStores.NextId() };
        await redis.PutAsync(trap);
        var trapStored = (byte[])(await _connection.GetDatabase().StringGetAsync(TestStores.KeyOf(prefix, EntityKey.For<SideEffect>(trap.Id))))!;
        Assert.That(trapStored[0], Is.EqualTo((byte)'O'), "a type declaring its own key is stored in the short form");
        var trapBytes = NamedPayload.Of(typeof(SideEffect), trapStored.AsSpan(1));

        var other = TestStores.NewProduct("someone else");
        await redis.PutAsync(other);
        var otherKey = TestStores.KeyOf(prefix, EntityKey.For<Product>(other.Id));
        var otherShort = StoredPayload.Value(other, SystemTextJsonStockpileSerializer.Default);

        var list = new List<(string, byte[])>
        {
            ("empty bytes", []),
            ("one byte V", "V"u8.ToArray()),
            ("a name length past the end", [(byte)'V', 0xFF, 0xFF, (byte)'x']),
            ("a truncated name", valid[..(3 + (nameLength / 2))]),
            ("a truncated object", valid[..^3]),
            ("the header alone", header),
            ("JSON of another shape", [.. header, .. """{"Unrelated":[1,2,3]}"""u8]),
            ("a JSON array", [.. header, .. "[1,2]"u8]),
            ("JSON null", [.. header, .. "null"u8]),
            ("JSON with a wrong field type", [.. header, .. """{"Id":"nine","Sku":5}"""u8]),
            ("another product's object", otherShort),
            ("another product's object in the named form", NamedPayload.Of(typeof(Product), otherShort.AsSpan(1))),
            ("one byte O", "O"u8.ToArray()),
            ("the short form, JSON of another shape", [(byte)'O', .. """{"Unrelated":[1,2,3]}"""u8]),
            ("the short form, a JSON array", [(byte)'O', .. "[1,2]"u8]),
            ("the short form, JSON null", [(byte)'O', .. "null"u8]),
            ("the short form, truncated", otherShort[..^3]),
            ("the short form of a type with a side-effecting constructor", trapStored),
            ("a type with a side-effecting constructor", trapBytes),
            ("an unknown type name", [(byte)'V', 0, 13, .. "No.Such.Type!"u8, .. "{}"u8]),
            ("a pointer under an object's key", Encoding.UTF8.GetBytes("P" + otherKey)),
            ("a pointer out of the prefix", "Pother-app:{secret}"u8.ToArray()),
            ("a bare P", "P"u8.ToArray()),
            ("plain text", "hello, world"u8.ToArray()),
            ("invalid UTF-8", [0xC3, 0x28, 0xFF, 0xFE]),
        };
        for (var i = 0; i < 12; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length > 0)
            {
                bytes[0] = (byte)(i % 2 == 0 ? 'V' : i % 4 == 1 ? 'P' : 'O');
            }

            list.Add(($"random bytes #{i}", bytes));
        }

        return list;
    }

    /// <summary>Strings no cache set writes under an entry's key.</summary>
    private static List<(string Name, byte[] Bytes)> CacheEntries()
    {
        var random = new Random(7);
        var list = new List<(string, byte[])>
        {
            ("empty bytes", []),
            ("plain text", "hello"u8.ToArray()),
            ("a header with a bad expiry", "\u0001x;0;{}"u8.ToArray()),
            ("a tag length past the end", "\u0001;99;{}"u8.ToArray()),
            ("a tag section without a colon", "\u0001;5;abcde{}"u8.ToArray()),
            ("a tag section with a bad length", "\u0001;8;x:abc12;{}"u8.ToArray()),
            ("a tag section with a bad version", "\u0001;6;1:aZZ;{}"u8.ToArray()),
            ("a tag section whose length runs out", "\u0001;6;9:abc1;{}"u8.ToArray()),
            ("a tag section without its end", "\u0001;4;1:a1{}"u8.ToArray()),
            ("JSON of another shape", "\u0001;0;[1,2,3]"u8.ToArray()),
            ("truncated JSON", "\u0001;0;{\"Name\":\"ab"u8.ToArray()),
            ("JSON null", "\u0001;0;null"u8.ToArray()),
            ("a JSON string", "\u0001;0;\"text\""u8.ToArray()),
            ("a far past expiry", "\u00011;0;{}"u8.ToArray()),
        };
        for (var i = 0; i < 12; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)(1 + (i % 2));
            }

            list.Add(($"random bytes #{i}", bytes));
        }

        return list;
    }

    /// <summary>A cached value of a mutable, non-flat class: kept as the serializer's bytes.</summary>
    public sealed class Poco
    {
        public string Name { get; set; } = "";

        public List<int> Numbers { get; set; } = [];
    }

    /// <summary>Counts its constructions: a payload naming it must never make a read build one.</summary>
    public sealed class SideEffect
    {
        private static int s_constructed;

        public SideEffect() => Interlocked.Increment(ref s_constructed);

        public static int Constructed
        {
            get => Volatile.Read(ref s_constructed);
            set => Volatile.Write(ref s_constructed, value);
        }

        [StockpileKey]
        public int Id { get; set; }
    }
}
