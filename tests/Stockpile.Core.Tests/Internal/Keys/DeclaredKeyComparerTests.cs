using Stockpile.Internal.Keys;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal.Keys;

/// <summary>The chain's set of objects being evicted behind compares look-ups by the key's declaring type: an object evicted as a derived type is found by the base type's key.</summary>
public sealed class DeclaredKeyComparerTests
{
    private static readonly DeclaredKeyComparer Comparer = DeclaredKeyComparer.Instance;

    [Test]
    public void Equals_DerivedAndBaseTypeByTheInheritedKey_AreEqualWithEqualHashes()
    {
        var asCar = EntityKey.For<Car>(7);
        var asAutomobile = EntityKey.For<Automobile>(7);

        Assert.Multiple(() =>
        {
            Assert.That(asCar, Is.Not.EqualTo(asAutomobile), "as look-ups they differ (their types do)");
            Assert.That(Comparer.Equals(asCar, asAutomobile), Is.True);
            Assert.That(Comparer.GetHashCode(asCar), Is.EqualTo(Comparer.GetHashCode(asAutomobile)));
            Assert.That(Comparer.Equals(EntityKey.For<Truck>(7), asCar), Is.True, "siblings share the base type's key space");
        });
    }

    [Test]
    public void Equals_OtherValueKeyOrKeySpace_AreNotEqual()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Comparer.Equals(EntityKey.For<Car>(7), EntityKey.For<Car>(8)), Is.False, "another value");
            Assert.That(Comparer.Equals(EntityKey.For<Product>(7), EntityKey.For<Automobile>(7)), Is.False, "an unrelated type's key");
            Assert.That(Comparer.Equals(EntityKey.For<Product>(7), EntityKey.Of<Product>(nameof(Product.Sku), "7")), Is.False, "another key of the type");
            Assert.That(Comparer.Equals(EntityKey.For<Product>(7), null), Is.False);
        });
    }
}
