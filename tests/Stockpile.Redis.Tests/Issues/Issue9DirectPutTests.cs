using StackExchange.Redis;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (the put within 1.5x of one <c>EVALSHA</c>): a put of one object on one server takes a hot path that writes
/// the Redis keys' bytes straight from the key values and serializes into a pooled buffer. It must write exactly what
/// the general path (a batch put) writes: the same keys, values, pointers, side records and lifetimes; objects whose
/// keys it does not write (composite, needing escapes) fall back to the general path.
/// </summary>
public sealed class Issue9DirectPutTests
{
    private ConnectionMultiplexer _connection = null!;
    private IDatabase _database = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = _connection.GetDatabase();
    }

    [TearDown]
    public async Task TearDownAsync() => await _connection.DisposeAsync();

    private static IEnumerable<TestCaseData> Objects()
    {
        var id = TestStores.NextId();
        yield return new TestCaseData(new Product { Id = id, Sku = $"SKU-{id}", Name = "p" }, true).SetName("Product (int key, string alternate key)");
        yield return new TestCaseData(new Customer { Code = $"C-{id}", Email = $"{id}@example.com", Name = "c" }, true).SetName("Customer (string key, alternate key)");
        yield return new TestCaseData(new Customer { Code = $"C-{id}-none", Email = null, Name = "c" }, true).SetName("Customer without email (a null alternate key files nothing)");
        yield return new TestCaseData(new Car { Id = id, Vin = $"VIN-{id}", Make = "m", Doors = 3 }, true).SetName("Car (derived type, inherited key)");
        yield return new TestCaseData(new Customer { Code = $"C|{id}", Email = $"{id}@example.com", Name = "c" }, false).SetName("Customer whose code needs escapes (general path)");
        yield return new TestCaseData(new OrderLine { OrderId = id, LineNumber = 2, LineId = Guid.NewGuid(), Product = "p" }, false).SetName("OrderLine (composite key: general path)");
    }

    [TestCaseSource(nameof(Objects))]
    public async Task PutAsync_OneObject_WritesWhatTheGeneralPathWrites(object item, bool hotPath)
    {
        foreach (var polymorphic in new[] { false, true })
        {
            var prefix = TestStores.UniquePrefix();
            await using var store = TestStores.Create(_connection, o =>
            {
                o.KeyPrefix = prefix;
                o.Polymorphic = polymorphic;
                o.DefaultLifetime = TimeSpan.FromHours(1);
            });
            await store.GetAsync<Product, int>(TestStores.NextId()); // connects the store: the hot path needs a connected link

            await store.PutManyAsync([item]);
            var general = await DumpAsync(prefix);
            await store.DeleteAsync(EntityKey.FromEntity(item));
            Assert.That(await DumpAsync(prefix), Is.Empty);

            var entityType = StockpileEntityType.For(item.GetType());
            Assert.That(store.TryPutDirect(entityType, item, default, out var put), Is.EqualTo(hotPath), "the path taken");
            if (hotPath)
            {
                await put;
            }
            else
            {
                await store.PutAsync(item);
            }

            Assert.That(await DumpAsync(prefix), Is.EqualTo(general), $"polymorphic: {polymorphic}");
            Assert.That(general, Is.Not.Empty);
        }
    }

    [Test]
    public async Task PutAsync_ValueBufferReused_EachPutWritesItsOwnValue()
    {
        var prefix = TestStores.UniquePrefix();
        await using var store = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        await store.GetAsync<Product, int>(TestStores.NextId());
        var products = Enumerable.Range(0, 50).Select(i => TestStores.NewProduct(new string('x', i * 40))).ToArray();

        // Sequential and concurrent puts: a buffer is reused only once Redis answered the put that used it.
        foreach (var product in products.Take(25))
        {
            await store.PutAsync(product);
        }

        await Task.WhenAll(products.Skip(25).Select(p => store.PutAsync(p).AsTask()));

        foreach (var product in products)
        {
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        }
    }

    [Test]
    public async Task PutAsync_SerializerFails_FaultsTheTaskAndWritesNothing()
    {
        var prefix = TestStores.UniquePrefix();
        await using var store = TestStores.Create(_connection, o =>
        {
            o.KeyPrefix = prefix;
            o.Serializer = new FailingSerializer();
        });
        await store.GetAsync<Product, int>(TestStores.NextId());
        var product = TestStores.NewProduct();

        var put = store.PutAsync(product); // not thrown by the call: reported through the task, as by the general path

        Assert.ThrowsAsync<StockpileSerializationException>(async () => await put);
        Assert.That(await DumpAsync(prefix), Is.Empty);
    }

    /// <summary>Every key under the prefix (fence buckets aside), with its type, content and whether it expires.</summary>
    private async Task<List<string>> DumpAsync(string prefix)
    {
        var dump = new List<string>();
        foreach (var key in (await TestStores.KeysUnderAsync(_connection, prefix, withLeases: true)).Order(StringComparer.Ordinal))
        {
            var type = await _database.KeyTypeAsync(key);
            var content = type == RedisType.Set
                ? string.Join(",", (await _database.SetMembersAsync(key)).Select(m => (string)m!).Order(StringComparer.Ordinal))
                : Convert.ToBase64String((byte[])(await _database.StringGetAsync(key))!);
            var ttl = await _database.KeyTimeToLiveAsync(key);
            dump.Add($"{key} {type} {content} expires:{ttl is { } t && t > TimeSpan.FromMinutes(59)}");
        }

        return dump;
    }

    private sealed class FailingSerializer : IStockpileSerializer
    {
        public void Serialize(System.Buffers.IBufferWriter<byte> destination, object value, Type type) =>
            throw new StockpileSerializationException(type, "serialize", "fails on purpose");

        public object Deserialize(ReadOnlySpan<byte> source, Type type) => throw new NotSupportedException();
    }
}
