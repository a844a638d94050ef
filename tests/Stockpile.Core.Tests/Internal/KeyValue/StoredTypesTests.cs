using Stockpile.Internal;
using Stockpile.Internal.KeyValue;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal.KeyValue;

[TestFixture]
public sealed class StoredTypesTests
{
    [Test]
    public void Resolve_KeyOwnerItself_IsFound()
    {
        Assert.That(StoredTypes.Resolve(TypeNames.Canonical(typeof(Product)), typeof(Product), polymorphic: false), Is.EqualTo(typeof(Product)));
    }

    [Test]
    public void Resolve_DerivedTypeThisProcessNeverUsed_IsFoundOnlyWhenPolymorphic()
    {
        // Another instance put a Van; this one has only ever asked for Automobiles.
        var name = TypeNames.NameOf(typeof(Van));

        Assert.That(StoredTypes.Resolve(name, typeof(Automobile), polymorphic: true), Is.EqualTo(typeof(Van)));
        Assert.That(StoredTypes.Resolve(name, typeof(Automobile), polymorphic: false), Is.Null);
    }

    [Test]
    public void Resolve_UnrelatedOrUnknownType_IsNull()
    {
        Assert.That(StoredTypes.Resolve(TypeNames.Canonical(typeof(Product)), typeof(Automobile), polymorphic: true), Is.Null);
        Assert.That(StoredTypes.Resolve(TypeNames.NameOf(typeof(Unrelated)), typeof(Automobile), polymorphic: true), Is.Null);
        Assert.That(StoredTypes.Resolve("System.IO.FileInfo, System.Private.CoreLib", typeof(Automobile), polymorphic: true), Is.Null);
        Assert.That(StoredTypes.Resolve("Nothing.Here@Nowhere", typeof(Automobile), polymorphic: true), Is.Null);
    }

    public sealed class Van : Automobile
    {
        public int Seats { get; set; }
    }

    public sealed class Unrelated
    {
        public int Id { get; set; }
    }
}
