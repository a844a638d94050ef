using Stockpile.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal;

[TestFixture]
public sealed class TypeNamesTests
{
    [Test]
    public void Canonical_PlainType_IsFullNameAtAssembly()
    {
        Assert.That(TypeNames.Canonical(typeof(int)), Is.EqualTo("System.Int32"), "the core library's types need no assembly");
        Assert.That(TypeNames.Canonical(typeof(TypeNamesTests)), Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests@Stockpile.Core.Tests"));
    }

    [Test]
    public void Canonical_GenericArgumentFromAnotherAssembly_CarriesItsAssembly()
    {
        Assert.That(
            TypeNames.Canonical(typeof(List<Product>)),
            Is.EqualTo("System.Collections.Generic.List<Stockpile.Testing.Entities.Product@Stockpile.Testing>"));
    }

    [Test]
    public void Canonical_PinnedType_IsThePinnedName()
    {
        Assert.That(TypeNames.Canonical(typeof(Pinned)), Is.EqualTo("tests.pinned"));
        Assert.That(StockpileEntityType.For<Pinned>().CanonicalName, Is.EqualTo("tests.pinned"));
        Assert.That(EntityKey.For<Pinned>(3).Encode(), Is.EqualTo("tests.pinned|Id|i:3"));
        Assert.That(TypeNames.Canonical(typeof(PinnedHolder<int>)), Is.EqualTo("tests.holder<System.Int32>"));
        Assert.That(TypeNames.Canonical(typeof(PinnedHolder<Pinned>)), Is.EqualTo("tests.holder<tests.pinned>"));
    }

    [Test]
    public void Token_UnpinnedType_IsElevenBase64UrlCharactersOfItsNamesHash()
    {
        // Written out: a change of the hash would turn every deployed Redis cache cold.
        Assert.That(TypeNames.HashToken("Stockpile.Testing.Entities.Product@Stockpile.Testing"), Is.EqualTo("D8OSJnkGn-o"));
        Assert.That(TypeNames.Token(typeof(Product)), Is.EqualTo("D8OSJnkGn-o"));
        Assert.That(StockpileEntityType.For<Product>().KeyToken, Is.EqualTo("D8OSJnkGn-o"));
        Assert.That(EntityKey.For<Product>(42).EncodeCompact(polymorphic: false), Is.EqualTo("D8OSJnkGn-o|Id|i:42"));
        Assert.That(TypeNames.Token(typeof(TypeNamesTests)), Has.Length.EqualTo(11).And.Match("^[A-Za-z0-9_-]{11}$"));
    }

    [Test]
    public void Token_PinnedType_IsThePinnedName_AndAPinnedGenericIsHashed()
    {
        Assert.That(TypeNames.Token(typeof(Pinned)), Is.EqualTo("tests.pinned"));
        Assert.That(EntityKey.For<Pinned>(3).EncodeCompact(polymorphic: false), Is.EqualTo("tests.pinned|Id|i:3"));
        Assert.That(TypeNames.Token(typeof(PinnedHolder<int>)), Is.EqualTo(TypeNames.HashToken("tests.holder<System.Int32>")));
    }

    [Test]
    public void Token_PolymorphicLookUp_NamesTheKeysDeclaringType()
    {
        Assert.That(EntityKey.For<Car>(5).EncodeCompact(polymorphic: true), Is.EqualTo(TypeNames.Token(typeof(Automobile)) + "|Id|i:5"));
        Assert.That(EntityKey.For<Car>(5).EncodeCompact(polymorphic: false), Is.EqualTo(TypeNames.Token(typeof(Car)) + "|Id|i:5"));
        Assert.That(TypeNames.Token(typeof(Car)), Is.Not.EqualTo(TypeNames.Token(typeof(Automobile))));
    }

    [Test]
    public void Canonical_DerivedFromPinnedType_HasItsOwnName()
    {
        Assert.That(TypeNames.Canonical(typeof(DerivedFromPinned)), Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests+DerivedFromPinned@Stockpile.Core.Tests"));
    }

    [Test]
    public void Canonical_TwoTypesPinnedToOneName_SecondIsRefused()
    {
        _ = TypeNames.Canonical(typeof(Pinned));

        var error = Assert.Throws<StockpileKeyException>(() => StockpileEntityType.For<PinnedTwice>());

        Assert.That(error!.EntityType, Is.EqualTo(typeof(PinnedTwice)));
        Assert.That(error.Message, Does.Contain("'tests.pinned'").And.Contain(typeof(Pinned).FullName!));
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("a|b")]
    [TestCase("x@y")]
    [TestCase("List<int>")]
    public void Canonical_InvalidPinnedName_IsRefused(string name)
    {
        var type = Fakes.TwinTypes.Emit(
            Fakes.TwinTypes.UniqueAssemblyName("Pins"),
            "Pins.Thing",
            new System.Reflection.Emit.CustomAttributeBuilder(typeof(StockpileTypeAttribute).GetConstructor([typeof(string)])!, [name]));

        var error = Assert.Throws<StockpileKeyException>(() => StockpileEntityType.For(type));

        Assert.That(error!.Message, Does.Contain("StockpileType"));
    }

    [Test]
    public void Canonical_GenericType_SpellsOutArgumentsWithoutAssemblies()
    {
        Assert.That(
            TypeNames.Canonical(typeof(Dictionary<string, List<int>>)),
            Is.EqualTo("System.Collections.Generic.Dictionary<System.String,System.Collections.Generic.List<System.Int32>>"));
    }

    [Test]
    public void Canonical_TypeNestedInGenericType_KeepsItsOwnName()
    {
        Assert.That(TypeNames.Canonical(typeof(Envelope<int>.Left)), Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests+Envelope<System.Int32>+Left@Stockpile.Core.Tests"));
        Assert.That(
            TypeNames.Canonical(typeof(Envelope<int>.Inner<string>)),
            Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests+Envelope<System.Int32>+Inner<System.String>@Stockpile.Core.Tests"));
    }

    [Test]
    public void Canonical_DifferentTypes_HaveDifferentNames()
    {
        Type[] types =
        [
            typeof(Envelope<int>), typeof(Envelope<int>.Left), typeof(Envelope<int>.Right), typeof(Envelope<long>.Left),
            typeof(Envelope<int>.Inner<int>), typeof(Envelope<int>.Inner<long>), typeof(List<int>), typeof(List<List<int>>),
        ];

        Assert.That(types.Select(TypeNames.Canonical), Is.Unique);
    }

    [Test]
    public void Display_GenericType_UsesShortNames()
    {
        Assert.That(TypeNames.Display(typeof(Dictionary<string, int>)), Is.EqualTo("Dictionary<String,Int32>"));
        Assert.That(TypeNames.Display(typeof(Envelope<int>.Left)), Is.EqualTo("Left<Int32>"));
    }

    [StockpileType("tests.pinned")]
    public class Pinned
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    public sealed class DerivedFromPinned : Pinned;

    [StockpileType("tests.pinned")]
    public sealed class PinnedTwice
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    [StockpileType("tests.holder")]
    public sealed class PinnedHolder<T>
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    /// <summary>Entity types nested in a generic type: each closed form is its own type and must have its own name.</summary>
    public sealed class Envelope<T>
    {
        public T Content { get; set; } = default!;

        public sealed class Left
        {
            [StockpileKey]
            public int Id { get; set; }
        }

        public sealed class Right
        {
            [StockpileKey]
            public int Id { get; set; }
        }

        public sealed class Inner<TInner>
        {
            public TInner Value { get; set; } = default!;
        }
    }
}
