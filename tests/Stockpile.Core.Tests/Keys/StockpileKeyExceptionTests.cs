using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Keys;

/// <summary>Every wrongly declared key and every look-up that does not fit is refused with a message naming type, key and reason.</summary>
[TestFixture]
public sealed class StockpileKeyExceptionTests
{
    [Test]
    public void For_TypeWithoutKey_ThrowsNamingType()
    {
        var ex = Refused(() => StockpileEntityType.For<NoKey>());

        AssertNames(ex, typeof(NoKey), null, "declares no key");
    }

    [Test]
    public void For_ClassKeyNamingMissingProperty_ThrowsNamingProperty()
    {
        var ex = Refused(() => StockpileEntityType.For<MissingProperty>());

        AssertNames(ex, typeof(MissingProperty), "Id+Nope", "no property 'Nope'");
    }

    [TestCase(typeof(DoubleKey), "Weight", "Double")]
    [TestCase(typeof(BytesKey), "Hash", "Byte[]")]
    [TestCase(typeof(ObjectKey), "Anything", "Object")]
    [TestCase(typeof(TimeSpanKey), "Duration", "TimeSpan")]
    public void For_UnsupportedPropertyType_ThrowsNamingPropertyAndType(Type entityType, string property, string propertyType)
    {
        var ex = Refused(() => StockpileEntityType.For(entityType));

        AssertNames(ex, entityType, property, $"'{propertyType}', which cannot be a key");
    }

    [Test]
    public void For_TwoPrimaries_ThrowsNamingBoth()
    {
        var ex = Refused(() => StockpileEntityType.For<TwoPrimaries>());

        AssertNames(ex, typeof(TwoPrimaries), "B", "more than one key is marked primary ('A' and 'B')");
    }

    [Test]
    public void For_DuplicateKeyNames_ThrowsNamingKey()
    {
        var ex = Refused(() => StockpileEntityType.For<DuplicateNames>());

        AssertNames(ex, typeof(DuplicateNames), "Code", "two keys have this name");
    }

    [Test]
    public void For_SamePropertiesDeclaredTwice_Throws()
    {
        var ex = Refused(() => StockpileEntityType.For<SameShape>());

        AssertNames(ex, typeof(SameShape), "Id", "declared as a key twice");
    }

    [Test]
    public void For_ClassAttributeWithoutProperties_Throws()
    {
        var ex = Refused(() => StockpileEntityType.For<EmptyClassKey>());

        AssertNames(ex, typeof(EmptyClassKey), null, "must name the properties");
    }

    [Test]
    public void For_PropertyAttributeNamingProperties_Throws()
    {
        var ex = Refused(() => StockpileEntityType.For<PropertyNamingOthers>());

        AssertNames(ex, typeof(PropertyNamingOthers), "A", "must not name other properties");
    }

    [Test]
    public void For_WriteOnlyProperty_Throws()
    {
        var ex = Refused(() => StockpileEntityType.For<WriteOnly>());

        AssertNames(ex, typeof(WriteOnly), "Secret", "has no getter");
    }

    [Test]
    public void NullArguments_ThrowArgumentNullException()
    {
        var store = new MemoryStore();

        Assert.Throws<ArgumentNullException>(() => EntityKey.FromEntity(null!));
        Assert.Throws<ArgumentNullException>(() => StockpileEntityType.For(null!));
        Assert.Throws<ArgumentNullException>(() => EntityKey.Of<Product>(null!, 1));
        Assert.ThrowsAsync<ArgumentNullException>(async () => await store.PutAsync<Product>(null!));
        Assert.ThrowsAsync<ArgumentNullException>(async () => await store.DeleteAsync<Product>(null!));
        Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetAsync<Product>(null!));
    }

    [Test]
    public void PutAsync_NullPrimaryKeyValue_ThrowsAndStoresNothing()
    {
        var store = new MemoryStore();

        var ex = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.PutAsync(new NullableId { Id = null }));

        AssertNames(ex!, typeof(NullableId), "Id", "primary key value is null");
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public void For_WrongArity_ThrowsNamingParts()
    {
        var ex = Refused(() => EntityKey.For<OrderLine>(1, 2, 3));

        AssertNames(ex, typeof(OrderLine), "OrderId+LineNumber", "2 part(s) (OrderId, LineNumber) but 3 value(s)");
    }

    [Test]
    public void For_CompositeGivenOneValue_ThrowsNamingParts()
    {
        var ex = Refused(() => EntityKey.For<OrderLine>(1));

        Assert.That(ex.Reason, Does.Contain("but 1 value(s)"));
    }

    [TestCase("1", "String")]
    [TestCase(1.0, "Double")]
    [TestCase(true, "Boolean")]
    [TestCase('1', "Char")]
    public void For_WrongValueType_ThrowsNamingBothTypes(object value, string given)
    {
        var ex = Refused(() => EntityKey.For<Product>(value));

        AssertNames(ex, typeof(Product), "Id", $"is a '{given}' but the property is a 'Int32'");
    }

    [Test]
    public void For_NullValue_ThrowsNamingProperty()
    {
        var ex = Refused(() => EntityKey.For<Product>([null!]));

        AssertNames(ex, typeof(Product), "Id", "'Id' is null");
    }

    [Test]
    public void Of_UnknownKeyName_ThrowsListingDeclaredKeys()
    {
        var ex = Refused(() => EntityKey.Of<Product>("Barcode", "x"));

        AssertNames(ex, typeof(Product), "Barcode", "no such key is declared; the declared keys are 'Id', 'Sku'");
    }

    [Test]
    public void GetAsync_KeyOfTypeThatDoesNotDeclareIt_Throws()
    {
        var store = new MemoryStore();

        var ex = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.GetAsync<Truck>(EntityKey.Of<Car>(nameof(Car.Vin), "V1")));

        AssertNames(ex!, typeof(Truck), "Vin", "no such key");
    }

    [Test]
    public void GetAsync_KeyOfUnrelatedType_ThrowsInsteadOfLookingUp()
    {
        var store = new MemoryStore();

        var sameValueType = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.GetAsync<Automobile>(EntityKey.For<Product>(1)));
        var otherValueType = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.GetAsync<StringId>(EntityKey.For<Product>(1)));

        AssertNames(sameValueType!, typeof(Automobile), "Id", "Product");
        AssertNames(otherValueType!, typeof(StringId), "Id", "Product");
    }

    private static StockpileKeyException Refused(TestDelegate action)
    {
        var ex = Assert.Throws<StockpileKeyException>(action);
        return ex!;
    }

    private static void AssertNames(StockpileKeyException ex, Type entityType, string? keyName, string reason)
    {
        Assert.That(ex.EntityType, Is.EqualTo(entityType));
        Assert.That(ex.KeyName, Is.EqualTo(keyName));
        Assert.That(ex.Reason, Does.Contain(reason));
        Assert.That(ex.Message, Does.Contain($"'{entityType.Name}'").And.Contain(ex.Reason));
        if (keyName is not null)
        {
            Assert.That(ex.Message, Does.Contain($"key '{keyName}'"));
        }
    }

    public sealed class NoKey
    {
        public int Id { get; set; }
    }

    [StockpileKey(nameof(Id), "Nope")]
    public sealed class MissingProperty
    {
        public int Id { get; set; }
    }

    public sealed class DoubleKey
    {
        [StockpileKey]
        public double Weight { get; set; }
    }

    public sealed class BytesKey
    {
        [StockpileKey]
        public byte[] Hash { get; set; } = [];
    }

    public sealed class ObjectKey
    {
        [StockpileKey]
        public object Anything { get; set; } = new();
    }

    public sealed class TimeSpanKey
    {
        [StockpileKey]
        public TimeSpan Duration { get; set; }
    }

    public sealed class TwoPrimaries
    {
        [StockpileKey(IsPrimary = true)]
        public int A { get; set; }

        [StockpileKey(IsPrimary = true)]
        public int B { get; set; }
    }

    public sealed class DuplicateNames
    {
        [StockpileKey(Name = "Code")]
        public string A { get; set; } = "";

        [StockpileKey(Name = "Code")]
        public string B { get; set; } = "";
    }

    [StockpileKey(nameof(Id), Name = "Again")]
    public sealed class SameShape
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    [StockpileKey]
    public sealed class EmptyClassKey
    {
        public int Id { get; set; }
    }

    public sealed class PropertyNamingOthers
    {
        [StockpileKey(nameof(B))]
        public int A { get; set; }

        public int B { get; set; }
    }

    public sealed class WriteOnly
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public string Secret
        {
            set => _ = value;
        }
    }

    public sealed class NullableId
    {
        [StockpileKey]
        public int? Id { get; set; }
    }

    public sealed class StringId
    {
        [StockpileKey]
        public string Id { get; set; } = "";
    }
}
