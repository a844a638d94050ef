using System.Text;
using System.Text.Json;
using Stockpile.Internal;
using Stockpile.Internal.KeyValue;
using Stockpile.Testing.Entities;
using Stockpile.Testing.KeyValue;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 9, the batch of 100: a stored object carried its type's canonical name (49 bytes for a benchmark product,
/// about half its bytes) although every key it is filed under names that type already; the bytes cost every read (the
/// server's reply, the kernel, the client's copies). An object of a type that declares its own primary key is now
/// stored as <c>'O'</c> and its JSON; objects in the earlier form still read, and the short form is refused under any
/// key whose owner would never write it.
/// </summary>
[TestFixture]
public sealed class Issue9StoredFormTests
{
    private static readonly SystemTextJsonStockpileSerializer s_serializer = SystemTextJsonStockpileSerializer.Default;

    [Test]
    public void Value_TypeDeclaringItsOwnPrimaryKey_IsItsJsonWithoutTypeName()
    {
        var product = new Product { Id = 7, Sku = "S7", Name = "seven" };

        var stored = StoredPayload.Value(product, s_serializer);

        Assert.That(stored, Is.EqualTo((byte[])[(byte)'O', .. JsonSerializer.SerializeToUtf8Bytes(product)]));
    }

    [Test]
    public void Value_TypeWhoseKeyIsDeclaredOnItsBase_KeepsItsTypeName()
    {
        // In a polymorphic store a Car is filed under its Automobile keys: only its name tells it from a Truck.
        var stored = StoredPayload.Value(new Car { Id = 1, Vin = "V1", Make = "m" }, s_serializer);

        Assert.That(stored[0], Is.EqualTo((byte)'V'));
        Assert.That(Encoding.UTF8.GetString(stored, 3, (stored[1] << 8) | stored[2]), Is.EqualTo(TypeNames.Canonical(typeof(Car))));
        Assert.That(StoredPayload.ReadValue(stored, typeof(Automobile), typeof(Automobile), polymorphic: true, s_serializer), Is.InstanceOf<Car>());
    }

    [Test]
    public void Value_BaseTypeDeclaringThePrimaryKey_IsStoredShortAndReadsAsItself()
    {
        var stored = StoredPayload.Value(new Automobile { Id = 2, Make = "plain" }, s_serializer);

        Assert.That(stored[0], Is.EqualTo((byte)'O'));
        Assert.That(StoredPayload.ReadValue(stored, typeof(Automobile), typeof(Automobile), polymorphic: true, s_serializer), Is.TypeOf<Automobile>().With.Property(nameof(Automobile.Make)).EqualTo("plain"));
        Assert.That(StoredPayload.ReadValue(stored, typeof(Automobile), typeof(Truck), polymorphic: true, s_serializer), Is.Null, "an Automobile is not a Truck");
    }

    [Test]
    public void ReadValue_ShortFormUnderAKeyWhoseOwnerNamesItsObjects_IsRefused()
    {
        // A Car's Vin is declared on Car, its primary key on Automobile: what a Vin's pointer leads to is a Car, which is
        // always stored with its name. An unnamed object there is an Automobile, not a Car (as when it was named).
        var automobile = StoredPayload.Value(new Automobile { Id = 3, Make = "plain" }, s_serializer);

        var ex = Assert.Throws<StockpileSerializationException>(() => StoredPayload.ReadValue(automobile, typeof(Car), typeof(Car), polymorphic: true, s_serializer));

        Assert.That(ex!.Message, Does.Contain("names no type").And.Contain("'Car'"));
    }

    [Test]
    public void ReadValue_EarlierNamedFormOfAnOwnType_StillReads()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Product { Id = 8, Sku = "S8", Name = "eight" });

        var item = StoredPayload.ReadValue(NamedPayload.Of(typeof(Product), json), typeof(Product), typeof(Product), polymorphic: false, s_serializer);

        Assert.That(item, Is.TypeOf<Product>().With.Property(nameof(Product.Name)).EqualTo("eight"));
    }

    [TestCase(new byte[] { (byte)'O' }, TestName = "ReadValue_ShortFormWithoutJson_IsRefused")]
    [TestCase(new byte[] { (byte)'O', (byte)'{' }, TestName = "ReadValue_ShortFormWithTruncatedJson_IsRefused")]
    [TestCase(new byte[] { (byte)'O', (byte)'[', (byte)']' }, TestName = "ReadValue_ShortFormWithAJsonArray_IsRefused")]
    [TestCase(new byte[] { (byte)'O', (byte)'n', (byte)'u', (byte)'l', (byte)'l' }, TestName = "ReadValue_ShortFormWithJsonNull_IsRefused")]
    public void ReadValue_DamagedShortForm_IsRefused(byte[] payload)
    {
        Assert.Throws<StockpileSerializationException>(() => StoredPayload.ReadValue(payload, typeof(Product), typeof(Product), polymorphic: false, s_serializer));
    }

    [Test]
    public async Task GetAsync_KeyValueStore_ReadsBothFormsAndWritesTheShortOne()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 10, Sku = "S10", Name = "ten" });
        var key = "stockpile:" + EntityKey.For<Product>(11).Encode();
        store.Entries[key] = NamedPayload.Of(typeof(Product), JsonSerializer.SerializeToUtf8Bytes(new Product { Id = 11, Sku = "S11", Name = "eleven" }));

        Assert.That(store.Entries["stockpile:" + EntityKey.For<Product>(10).Encode()][0], Is.EqualTo((byte)'O'));
        Assert.That((await store.GetAsync<Product, int>(10))?.Name, Is.EqualTo("ten"));
        Assert.That((await store.GetAsync<Product, int>(11))?.Name, Is.EqualTo("eleven"));
        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "S10")))?.Name, Is.EqualTo("ten"));
    }
}
