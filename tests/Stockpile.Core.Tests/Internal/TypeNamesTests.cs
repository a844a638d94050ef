using Stockpile.Internal;

namespace Stockpile.Tests.Internal;

[TestFixture]
public sealed class TypeNamesTests
{
    [Test]
    public void Canonical_PlainType_IsFullName()
    {
        Assert.That(TypeNames.Canonical(typeof(int)), Is.EqualTo("System.Int32"));
        Assert.That(TypeNames.Canonical(typeof(TypeNamesTests)), Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests"));
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
        Assert.That(TypeNames.Canonical(typeof(Envelope<int>.Left)), Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests+Envelope<System.Int32>+Left"));
        Assert.That(
            TypeNames.Canonical(typeof(Envelope<int>.Inner<string>)),
            Is.EqualTo("Stockpile.Tests.Internal.TypeNamesTests+Envelope<System.Int32>+Inner<System.String>"));
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
