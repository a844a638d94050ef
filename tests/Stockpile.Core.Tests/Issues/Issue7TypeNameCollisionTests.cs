using System.Text.Json;
using Stockpile.Internal.Keys;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 7, item 8: two types with the same full name in different assemblies shared cache keys and evicted each other,
/// and a backplane message naming one was read as the other (whichever registered first).
/// </summary>
[TestFixture]
public sealed class Issue7TypeNameCollisionTests
{
    private static readonly string s_productName = typeof(Product).FullName!;

    [Test]
    public void CanonicalName_SameFullNameInAnotherAssembly_Differs()
    {
        var twin = TwinTypes.Emit(TwinTypes.UniqueAssemblyName("Twin"), s_productName);

        Assert.That(twin.FullName, Is.EqualTo(typeof(Product).FullName));
        Assert.That(StockpileEntityType.For(twin).CanonicalName, Is.Not.EqualTo(StockpileEntityType.For<Product>().CanonicalName));
        Assert.That(EntityKey.Of(twin, null, 1).Encode(), Is.Not.EqualTo(EntityKey.For<Product>(1).Encode()));
    }

    [Test]
    public async Task KeyValueStore_TwoTypesWithOneFullName_EachKeepsItsOwnObject()
    {
        var twin = TwinTypes.Emit(TwinTypes.UniqueAssemblyName("Twin"), s_productName);
        var store = new DictionaryKeyValueStore();

        await store.PutAsync(new Product { Id = 1, Sku = "A", Name = "ours" });
        await store.PutAsync(TwinTypes.New(twin, 1, "A", "twin's"));

        var ours = await store.GetAsync<Product, int>(1);
        var theirs = await store.GetUntypedAsync(EntityKey.Of(twin, null, 1), default);
        var theirsBySku = await store.GetUntypedAsync(EntityKey.Of(twin, "Sku", "A"), default);
        Assert.That(ours?.Name, Is.EqualTo("ours"), "the twin's put must not replace or evict our object");
        Assert.That(theirs, Is.InstanceOf(twin));
        Assert.That(TwinTypes.NameOf(theirs!), Is.EqualTo("twin's"));
        Assert.That(theirsBySku, Is.InstanceOf(twin));
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "A")), Is.Not.Null, "the twin's alternate key must not take ours");
    }

    [Test]
    public void WireFormat_TwoTypesWithOneFullName_ReadsBackTheTypeWritten()
    {
        _ = StockpileEntityType.For<Product>();
        var twin = TwinTypes.Emit(TwinTypes.UniqueAssemblyName("Twin"), s_productName);
        var key = EntityKey.Of(twin, null, 7);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            EntityKeyWireFormat.Write(writer, key);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.That(EntityKeyWireFormat.TryRead(document.RootElement, out var read), Is.True);
        Assert.That(read!.EntityType.ClrType, Is.SameAs(twin), "an eviction of the twin must reach the twin, not our Product");
        Assert.That(read, Is.EqualTo(key));
    }

    [Test]
    public void For_SameFullNameAndSameAssemblyName_SecondTypeIsRefusedWithAClearError()
    {
        // Two loads of one plug-in (two AssemblyLoadContexts): even the assembly name cannot tell the types apart.
        var assemblyName = TwinTypes.UniqueAssemblyName("Plugin");
        var first = TwinTypes.Emit(assemblyName, "Plugin.Thing");
        var second = TwinTypes.Emit(assemblyName, "Plugin.Thing");
        _ = StockpileEntityType.For(first);

        var error = Assert.Throws<StockpileKeyException>(() => StockpileEntityType.For(second));

        Assert.That(error!.EntityType, Is.SameAs(second));
        Assert.That(error.Message, Does.Contain("Plugin.Thing").And.Contain(assemblyName).And.Contain("StockpileType"));
    }
}
