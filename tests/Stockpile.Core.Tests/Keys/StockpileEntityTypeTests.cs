using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Keys;

[TestFixture]
public sealed class StockpileEntityTypeTests
{
    [Test]
    public void For_SinglePropertyKey_IsPrimaryNamedAfterProperty()
    {
        var type = StockpileEntityType.For<SingleKey>();

        Assert.That(type.ClrType, Is.EqualTo(typeof(SingleKey)));
        Assert.That(type.Keys, Has.Count.EqualTo(1));
        var key = type.PrimaryKey;
        Assert.That((key.Name, key.IsPrimary, key.Index, key.IsComposite), Is.EqualTo(("Id", true, 0, false)));
        Assert.That(key.Properties.Select(p => p.Name), Is.EqualTo(new[] { "Id" }));
        Assert.That(key.ValueTypes, Is.EqualTo(new[] { typeof(int) }));
        Assert.That((key.EntityType, key.DeclaringType), Is.EqualTo((typeof(SingleKey), typeof(SingleKey))));
    }

    [Test]
    public void For_CompositeKeyOnClass_ComesBeforePropertyKeys()
    {
        var type = StockpileEntityType.For<Composite>();

        Assert.That(type.Keys.Select(k => k.Name), Is.EqualTo(new[] { "Region+Number", "Alt" }));
        var primary = type.PrimaryKey;
        Assert.That(primary.IsComposite, Is.True);
        Assert.That(primary.Properties.Select(p => p.Name), Is.EqualTo(new[] { "Region", "Number" }));
        Assert.That(primary.ValueTypes, Is.EqualTo(new[] { typeof(string), typeof(int) }));
        Assert.That(type.Keys[1].IsPrimary, Is.False);
        Assert.That(type.Keys[1].Index, Is.EqualTo(1));
    }

    [Test]
    public void For_NamedKeys_AreFoundByTheirNames()
    {
        var type = StockpileEntityType.For<Named>();

        Assert.That(type.Keys.Select(k => k.Name), Is.EqualTo(new[] { "RegionNumber", "Code" }));
        Assert.That(type.GetKey("Code").Properties.Single().Name, Is.EqualTo(nameof(Named.Reference)));
        Assert.That(type.TryGetKey("RegionNumber", out var composite), Is.True);
        Assert.That(composite!.Properties.Select(p => p.Name), Is.EqualTo(new[] { "Region", "Number" }));
        Assert.That(type.TryGetKey(nameof(Named.Reference), out _), Is.False, "a named key is not found by its property name");
    }

    [Test]
    public void For_IsPrimary_OverridesDeclarationOrder()
    {
        var type = StockpileEntityType.For<PrimaryMarked>();

        Assert.That(type.Keys.Select(k => (k.Name, k.IsPrimary, k.Index)), Is.EqualTo(new[] { ("Id", true, 0), ("Sku", false, 1), ("Ean", false, 2) }));
    }

    [Test]
    public void For_WithoutIsPrimary_FirstDeclaredPropertyIsPrimary()
    {
        var type = StockpileEntityType.For<Product>();

        Assert.That(type.Keys.Select(k => k.Name), Is.EqualTo(new[] { "Id", "Sku" }));
    }

    [Test]
    public void For_DerivedType_InheritsBaseKeysFirst()
    {
        var type = StockpileEntityType.For<Car>();

        Assert.That(type.Keys.Select(k => k.Name), Is.EqualTo(new[] { "Id", "Vin" }));
        Assert.That(type.PrimaryKey.DeclaringType, Is.EqualTo(typeof(Automobile)));
        Assert.That(type.GetKey("Vin").DeclaringType, Is.EqualTo(typeof(Car)));
        Assert.That(type.Keys.Select(k => k.EntityType), Is.All.EqualTo(typeof(Car)));
    }

    [Test]
    public void For_DerivedTypeWithClassKey_BaseKeysStillFirst()
    {
        var type = StockpileEntityType.For<DerivedWithComposite>();

        Assert.That(type.Keys.Select(k => (k.Name, k.DeclaringType)), Is.EqualTo(new[]
        {
            ("Id", typeof(BaseWithId)),
            ("Code", typeof(BaseWithId)),
            ("Code+Tenant", typeof(DerivedWithComposite)),
        }));
    }

    [Test]
    public void For_DerivedKeyMarkedPrimary_BeatsInheritedKeys()
    {
        var type = StockpileEntityType.For<DerivedWithPrimary>();

        Assert.That(type.PrimaryKey.Name, Is.EqualTo("Serial"));
        Assert.That(type.PrimaryKey.DeclaringType, Is.EqualTo(typeof(DerivedWithPrimary)));
        Assert.That(type.Keys.Skip(1).Select(k => k.Name), Is.EqualTo(new[] { "Id", "Code" }));
    }

    [Test]
    public void For_InheritedKey_ReadsTheDerivedObject()
    {
        var car = new Car { Id = 5, Vin = "V5" };

        var key = EntityKey.FromEntity(car);

        Assert.That(key.EntityType.ClrType, Is.EqualTo(typeof(Car)));
        Assert.That(key.Values, Is.EqualTo(new object[] { 5 }));
    }

    [Test]
    public void For_NullableProperty_ValueTypeIsUnderlyingType()
    {
        var key = StockpileEntityType.For<NullableKeys>().GetKey(nameof(NullableKeys.When));

        Assert.That(key.Properties.Single().PropertyType, Is.EqualTo(typeof(DateTime?)));
        Assert.That(key.ValueTypes.Single(), Is.EqualTo(typeof(DateTime)));
    }

    [Test]
    public void For_SameType_ReturnsSameInstance()
    {
        var clrType = typeof(Product);

        Assert.That(StockpileEntityType.For(clrType), Is.SameAs(StockpileEntityType.For<Product>()));
    }

    [Test]
    public void Register_TypeWithoutAttributes_FirstKeyIsPrimary()
    {
        var type = StockpileEntityType.Register(typeof(Unattributed), [("Id", ["Id"]), ("ByName", ["Tenant", "Name"])]);

        Assert.That(type.Keys.Select(k => (k.Name, k.IsPrimary)), Is.EqualTo(new[] { ("Id", true), ("ByName", false) }));
        Assert.That(StockpileEntityType.For<Unattributed>(), Is.SameAs(type));
        Assert.That(StockpileEntityType.Register(typeof(Unattributed), [("Id", ["Id"]), ("ByName", ["Tenant", "Name"])]), Is.SameAs(type), "the same registration again is accepted");
    }

    [Test]
    public void Register_DifferentKeysForKnownType_Throws()
    {
        StockpileEntityType.Register(typeof(RegisteredTwice), [("Id", ["Id"])]);

        var ex = Assert.Throws<StockpileKeyException>(() => StockpileEntityType.Register(typeof(RegisteredTwice), [("Name", ["Name"])]));

        Assert.That(ex!.EntityType, Is.EqualTo(typeof(RegisteredTwice)));
        Assert.That(ex.Reason, Does.Contain("already resolved"));
    }

    public sealed class SingleKey
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    [StockpileKey(nameof(Region), nameof(Number))]
    public sealed class Composite
    {
        public string Region { get; set; } = "";

        public int Number { get; set; }

        [StockpileKey]
        public Guid Alt { get; set; }
    }

    [StockpileKey(nameof(Region), nameof(Number), Name = "RegionNumber")]
    public sealed class Named
    {
        public string Region { get; set; } = "";

        public int Number { get; set; }

        [StockpileKey(Name = "Code")]
        public string Reference { get; set; } = "";
    }

    public sealed class PrimaryMarked
    {
        [StockpileKey]
        public string Sku { get; set; } = "";

        [StockpileKey(IsPrimary = true)]
        public int Id { get; set; }

        [StockpileKey]
        public long Ean { get; set; }
    }

    public class BaseWithId
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public string Code { get; set; } = "";
    }

    [StockpileKey(nameof(Code), nameof(Tenant))]
    public sealed class DerivedWithComposite : BaseWithId
    {
        public int Tenant { get; set; }
    }

    public sealed class DerivedWithPrimary : BaseWithId
    {
        [StockpileKey(IsPrimary = true)]
        public Guid Serial { get; set; }
    }

    public sealed class NullableKeys
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public DateTime? When { get; set; }
    }

    public sealed class Unattributed
    {
        public int Id { get; set; }

        public int Tenant { get; set; }

        public string Name { get; set; } = "";
    }

    public sealed class RegisteredTwice
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }
}
