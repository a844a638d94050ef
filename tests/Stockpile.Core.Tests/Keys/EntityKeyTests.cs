using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Keys;

[TestFixture]
public sealed class EntityKeyTests
{
    [Test]
    public void For_CompositeAsTuple_EqualsSeparateValues()
    {
        var fromTuple = EntityKey.For<OrderLine>((7, 3));
        var fromValues = EntityKey.For<OrderLine>(7, 3);

        Assert.That(fromTuple, Is.EqualTo(fromValues));
        Assert.That(fromTuple.Values, Is.EqualTo(new object[] { 7, 3 }));
        Assert.That(fromTuple.GetHashCode(), Is.EqualTo(fromValues.GetHashCode()));
    }

    [Test]
    public void For_IntForLongKey_WidensToLong()
    {
        var key = EntityKey.For<Wide>(5);

        Assert.That(key.Values.Single(), Is.TypeOf<long>().And.EqualTo(5L));
        Assert.That(key, Is.EqualTo(EntityKey.For<Wide>(5L)));
    }

    [Test]
    public void For_LongThatFitsIntKey_Converts()
    {
        Assert.That(EntityKey.For<Product>(5L).Values.Single(), Is.TypeOf<int>().And.EqualTo(5));
    }

    [TestCase(long.MaxValue)]
    [TestCase(long.MinValue)]
    [TestCase(uint.MaxValue)]
    public void For_IntegerOutOfRange_IsRefused(object value)
    {
        var ex = Assert.Throws<StockpileKeyException>(() => EntityKey.For<Product>(value));

        Assert.That(ex!.KeyName, Is.EqualTo("Id"));
        Assert.That(ex.Reason, Does.Contain("Int32"));
    }

    [Test]
    public void For_NegativeForUnsignedKey_IsRefused()
    {
        Assert.Throws<StockpileKeyException>(() => EntityKey.For<UnsignedId>(-1));
        Assert.That(EntityKey.For<UnsignedId>(1).Values.Single(), Is.TypeOf<uint>());
    }

    [Test]
    public void For_UnderlyingIntegerForEnumKey_ConvertsToEnum()
    {
        var key = EntityKey.For<Shaded>(2);

        Assert.That(key.Values.Single(), Is.EqualTo(Shade.Dark));
        Assert.That(key, Is.EqualTo(EntityKey.For<Shaded>(Shade.Dark)));
    }

    [Test]
    public void For_OtherEnumForEnumKey_IsRefused()
    {
        Assert.Throws<StockpileKeyException>(() => EntityKey.For<Shaded>(DayOfWeek.Tuesday));
    }

    [Test]
    public void Equals_DifferentKeyOrTypeOrValue_AreNotEqual()
    {
        var product = EntityKey.For<Product>(1);

        Assert.That(product, Is.EqualTo(EntityKey.For<Product>(1)));
        Assert.That(product, Is.Not.EqualTo(EntityKey.For<Product>(2)));
        Assert.That(product, Is.Not.EqualTo(EntityKey.For<Automobile>(1)));
        Assert.That(EntityKey.Of<Customer>(nameof(Customer.Code), "a"), Is.Not.EqualTo(EntityKey.Of<Customer>(nameof(Customer.Email), "a")));
        Assert.That(product.Equals(null), Is.False);
    }

    [Test]
    public void FromEntity_NullAlternateKey_StillMakesPrimaryLookUp()
    {
        var key = EntityKey.FromEntity(new Customer { Code = "C1", Email = null });

        Assert.That(key, Is.EqualTo(EntityKey.For<Customer>("C1")));
    }

    [Test]
    public void Of_OneValue_IsTheSameLookUpAsTheParamsForm()
    {
        var single = EntityKey.Of<Product>(nameof(Product.Sku), "A");
        var many = EntityKey.Of<Product>(nameof(Product.Sku), new object[] { "A" });

        Assert.That(single, Is.EqualTo(many));
        Assert.That(single.GetHashCode(), Is.EqualTo(many.GetHashCode()));
        Assert.That(single.Encode(), Is.EqualTo(many.Encode()));
        Assert.That(single.Values, Is.EqualTo(new object[] { "A" }));
        Assert.That(EntityKey.For<Product>(5), Is.EqualTo(EntityKey.For<Product>(new object[] { 5 })));
    }

    [Test]
    public void Of_OneValueOfAnotherType_IsConvertedOrRefusedAsInTheParamsForm()
    {
        Assert.That(EntityKey.For<Product>(5L).Values[0], Is.TypeOf<int>());
        Assert.Throws<StockpileKeyException>(() => EntityKey.For<Product>("5"));
        Assert.Throws<StockpileKeyException>(() => EntityKey.Of<Product>(nameof(Product.Sku), (object)null!));
    }

    [Test]
    public void Of_KeyNameNotInterned_IsStillFound()
    {
        var name = new string(nameof(Product.Sku).AsSpan());

        Assert.That(EntityKey.Of<Product>(name, "A").Key.Name, Is.EqualTo(nameof(Product.Sku)));
    }

    [Test]
    public void ToString_IsTheEncoding()
    {
        var key = EntityKey.Of<Product>(nameof(Product.Sku), "A-1");

        Assert.That(key.ToString(), Is.EqualTo(key.Encode()));
    }

    public sealed class Wide
    {
        [StockpileKey]
        public long Id { get; set; }
    }

    public sealed class UnsignedId
    {
        [StockpileKey]
        public uint Id { get; set; }
    }

    public enum Shade
    {
        Light = 1,
        Dark = 2,
    }

    public sealed class Shaded
    {
        [StockpileKey]
        public Shade Id { get; set; }
    }
}
