using System.Buffers;
using System.Text;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Serialization;

[TestFixture]
public sealed class SystemTextJsonStockpileSerializerTests
{
    [Test]
    public void SerializeThenDeserialize_RoundTrips()
    {
        var line = new OrderLine { OrderId = 7, LineNumber = 2, LineId = Guid.NewGuid(), Product = "bolt \u2603", Quantity = 3 };

        var copy = (OrderLine)RoundTrip(SystemTextJsonStockpileSerializer.Default, line);

        Assert.That(copy, Is.Not.SameAs(line));
        Assert.That((copy.OrderId, copy.LineNumber, copy.LineId, copy.Product, copy.Quantity), Is.EqualTo((7, 2, line.LineId, line.Product, 3)));
    }

    [Test]
    public void SourceGeneratedContext_IsUsed()
    {
        var serializer = new SystemTextJsonStockpileSerializer(ProductJsonContext.Default);
        var product = new Product { Id = 4, Sku = "S-4", Name = "four", Price = 1.25m };
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(buffer, product, typeof(Product));
        var copy = (Product)serializer.Deserialize(buffer.WrittenSpan, typeof(Product));

        Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan), Does.Contain("\"sku\":\"S-4\""));
        Assert.That((copy.Id, copy.Sku, copy.Name, copy.Price), Is.EqualTo((4, "S-4", "four", 1.25m)));
    }

    [Test]
    public void SourceGeneratedContext_TypeItDoesNotKnow_ThrowsNamingType()
    {
        var serializer = new SystemTextJsonStockpileSerializer(ProductJsonContext.Default);

        var ex = Assert.Throws<StockpileSerializationException>(() => serializer.Serialize(new ArrayBufferWriter<byte>(), new Customer { Code = "C" }, typeof(Customer)));

        Assert.That((ex!.ObjectType, ex.Operation), Is.EqualTo((typeof(Customer), "serialize")));
        Assert.That(ex.Message, Does.Contain("'Customer'"));
    }

    [Test]
    public async Task SourceGeneratedContext_CopiesInMemoryStore()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true, Serializer = new SystemTextJsonStockpileSerializer(ProductJsonContext.Default) });
        var product = new Product { Id = 1, Sku = "S-1", Name = "one" };
        await store.PutAsync(product);

        var copy = await store.GetAsync<Product, int>(1);

        Assert.That(copy, Is.Not.SameAs(product));
        Assert.That(copy!.Name, Is.EqualTo("one"));
    }

    [TestCase(typeof(InvalidOperationException))]
    [TestCase(typeof(NotImplementedException))]
    [TestCase(typeof(NullReferenceException))]
    public void Serialize_PropertyThrows_ThrowsNamingTypeAndWritesNothing(Type failure)
    {
        var gadget = new Gadget { Id = 1, Failure = failure };
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<StockpileSerializationException>(() => SystemTextJsonStockpileSerializer.Default.Serialize(buffer, gadget, typeof(Gadget)));

        Assert.That((ex!.ObjectType, ex.Operation), Is.EqualTo((typeof(Gadget), "serialize")));
        Assert.That(ex.Message, Does.Contain("'Gadget'"));
        Assert.That(ex.InnerException, Is.TypeOf(failure));
        Assert.That(buffer.WrittenCount, Is.Zero);
    }

    [Test]
    public void Serialize_Cycle_ThrowsNamingType()
    {
        var node = new Node { Id = 1 };
        node.Next = node;

        var ex = Assert.Throws<StockpileSerializationException>(() => SystemTextJsonStockpileSerializer.Default.Serialize(new ArrayBufferWriter<byte>(), node, typeof(Node)));

        Assert.That(ex!.ObjectType, Is.EqualTo(typeof(Node)));
        Assert.That(ex.Message, Does.Contain("'Node'"));
    }

    [TestCase("{ not json")]
    [TestCase("null")]
    [TestCase("{\"Id\":\"not a number\"}")]
    public void Deserialize_BadPayload_ThrowsNamingType(string json)
    {
        var ex = Assert.Throws<StockpileSerializationException>(() => SystemTextJsonStockpileSerializer.Default.Deserialize(Encoding.UTF8.GetBytes(json), typeof(Product)));

        Assert.That((ex!.ObjectType, ex.Operation), Is.EqualTo((typeof(Product), "deserialize")));
    }

    [Test]
    public void Deserialize_SetterThrows_ThrowsNamingType()
    {
        var ex = Assert.Throws<StockpileSerializationException>(() => SystemTextJsonStockpileSerializer.Default.Deserialize("{\"Id\":1,\"Label\":\"boom\"}"u8, typeof(Fragile)));

        Assert.That((ex!.ObjectType, ex.Operation), Is.EqualTo((typeof(Fragile), "deserialize")));
        Assert.That(ex.InnerException, Is.TypeOf<NotImplementedException>());
    }

    [Test]
    public async Task CopyingMemoryStore_PutThatCannotBeCopied_LeavesStoreUnchanged()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
        await store.PutAsync(new Gadget { Id = 1, Label = "before" });

        Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(new Gadget { Id = 1, Label = "after", Failure = typeof(InvalidOperationException) }));
        Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(new Gadget { Id = 2, Failure = typeof(InvalidOperationException) }));

        Assert.That(store.Count, Is.EqualTo(1));
        Assert.That((await store.GetAsync<Gadget, int>(1))?.Label, Is.EqualTo("before"));
    }

    [Test]
    public async Task CopyingMemoryStore_PutManyWithOneThatCannotBeCopied_WritesNothing()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
        await store.PutAsync(new Gadget { Id = 1, Label = "before" });

        Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutManyAsync(
        [
            new Gadget { Id = 1, Label = "after" },
            new Gadget { Id = 2, Label = "new" },
            new Gadget { Id = 3, Failure = typeof(InvalidOperationException) },
        ]));

        Assert.That(store.Count, Is.EqualTo(1));
        Assert.That((await store.GetAsync<Gadget, int>(1))?.Label, Is.EqualTo("before"));
        Assert.That(await store.GetAsync<Gadget, int>(2), Is.Null);
    }

    private static object RoundTrip(SystemTextJsonStockpileSerializer serializer, object value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(buffer, value, value.GetType());
        return serializer.Deserialize(buffer.WrittenSpan, value.GetType());
    }

    /// <summary>An entity with a computed property that throws when <see cref="Failure"/> is set, as buggy user code would.</summary>
    public sealed class Gadget
    {
        [StockpileKey]
        public int Id { get; set; }

        public string Label { get; set; } = "";

        [System.Text.Json.Serialization.JsonIgnore]
        public Type? Failure { get; set; }

        public string Payload => Failure is null ? "ok" : throw (Exception)Activator.CreateInstance(Failure, "payload is broken")!;
    }

    public sealed class Fragile
    {
        private string _label = "";

        [StockpileKey]
        public int Id { get; set; }

        public string Label
        {
            get => _label;
            set => _label = value == "boom" ? throw new NotImplementedException("label setter") : value;
        }
    }

    public sealed class Node
    {
        [StockpileKey]
        public int Id { get; set; }

        public Node? Next { get; set; }
    }
}
