using System.Buffers;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.KeyValue;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, torture case 7 (foreign or corrupt bytes are a miss), review of session 6: JSON <c>null</c> under an
/// object's key (no put writes one) was removed and logged by the default serializer, which refuses it, but with a
/// serializer that answers <see langword="null"/> for it (as <c>JsonSerializer.Deserialize</c> itself does) it was a plain
/// miss left in place, read again on every get. Now the store treats a <see langword="null"/> from any serializer as the
/// default one does: a miss, logged once (<c>UnreadableEntry</c>) and removed, by the get, the batch get and the chain.
/// </summary>
[TestFixture(false, TestName = "Issue12JsonNullEntryTests(default serializer)")]
[TestFixture(true, TestName = "Issue12JsonNullEntryTests(serializer answering null)")]
public sealed class Issue12JsonNullEntryTests(bool answersNull) : RedisFixture
{
    public enum Form
    {
        /// <summary>The short form a put writes for a type that declares its key: <c>O</c>, then <c>null</c>.</summary>
        OwnType,

        /// <summary>The named form: <c>V</c>, the type's name, then <c>null</c>.</summary>
        Named,
    }

    [TestCase(Form.OwnType)]
    [TestCase(Form.Named)]
    public Task GetAsync_JsonNullUnderPrimaryKey_MissRemovedAndLoggedOnce(Form form) =>
        AssertMissRemovedAndLoggedOnceAsync(form, static async (redis, id) => await redis.GetAsync<Product, int>(id));

    [TestCase(Form.OwnType)]
    [TestCase(Form.Named)]
    public Task GetManyAsync_JsonNullUnderPrimaryKey_MissRemovedAndLoggedOnce(Form form) =>
        AssertMissRemovedAndLoggedOnceAsync(form, static async (redis, id) => (await redis.GetManyAsync<Product, int>([id]))[0]);

    [TestCase(Form.OwnType)]
    [TestCase(Form.Named)]
    public Task ChainGetAsync_JsonNullUnderPrimaryKey_NothingBelow_MissRemovedAndLoggedOnce(Form form) =>
        AssertMissRemovedAndLoggedOnceAsync(form, static async (redis, id) => await new ChainedStore([redis, new FakeDatabase()]).GetAsync<Product, int>(id));

    /// <summary>Plants JSON null under a new product's key and reads it twice: a miss both times, removed after the first, logged once.</summary>
    private async Task AssertMissRemovedAndLoggedOnceAsync(Form form, Func<RedisStore, int, Task<Product?>> read)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var redis = TestStores.Create(_connection, o => o.Serializer = answersNull ? new NullAnsweringSerializer() : null, factory);

        // Connected first, so the reads take their direct paths.
        var other = TestStores.NewProduct("someone else");
        await redis.PutAsync(other);
        Assert.That((await redis.GetAsync<Product, int>(other.Id))?.Name, Is.EqualTo(other.Name));
        var product = TestStores.NewProduct();
        var key = (RedisKey)TestStores.KeyOf(redis.KeyPrefixForTests, EntityKey.For<Product>(product.Id));
        byte[] bytes = form == Form.OwnType ? [StoredPayload.OwnTypeMarker, .. "null"u8] : NamedPayload.Of(typeof(Product), "null"u8);
        await _connection.GetDatabase().StringSetAsync(key, bytes);

        var first = await read(redis, product.Id);
        var removed = !await _connection.GetDatabase().KeyExistsAsync(key);
        var second = await read(redis, product.Id);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Null);
            Assert.That(second, Is.Null);
            Assert.That(removed, Is.True, "the first read removes what no put writes");
            Assert.That(logs.Entries.Count(e => e.EventId.Name == "UnreadableEntry"), Is.EqualTo(1), "logged once: the second read finds nothing");
        });
    }

    /// <summary>The default serializer, but answering <see langword="null"/> for JSON <c>null</c>, as <c>JsonSerializer.Deserialize</c> does.</summary>
    private sealed class NullAnsweringSerializer : IStockpileSerializer
    {
        public void Serialize(IBufferWriter<byte> destination, object value, Type type) =>
            SystemTextJsonStockpileSerializer.Default.Serialize(destination, value, type);

        public object Deserialize(ReadOnlySpan<byte> source, Type type) =>
            source.SequenceEqual("null"u8) ? null! : SystemTextJsonStockpileSerializer.Default.Deserialize(source, type);
    }
}
