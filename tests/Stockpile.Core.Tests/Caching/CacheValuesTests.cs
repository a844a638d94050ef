using Stockpile.Internal.Caching;
using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

[TestFixture]
public sealed class CacheValuesTests
{
    [TestCase(typeof(StockpileCacheContractTests.Counter), ExpectedResult = true)]
    [TestCase(typeof(StockpileCacheContractTests.DetailedTally), ExpectedResult = true)]
    [TestCase(typeof(WithStruct), ExpectedResult = true)]
    [TestCase(typeof(StockpileCacheContractTests.Basket), ExpectedResult = false)]
    [TestCase(typeof(WithObject), ExpectedResult = false)]
    [TestCase(typeof(WithMutableStruct), ExpectedResult = false)]
    [TestCase(typeof(int[]), ExpectedResult = false)]
    [TestCase(typeof(Action), ExpectedResult = false)]
    public bool IsFlat_OnlyWhenAMemberwiseCopySharesNothingMutable(Type type) => CacheValues.IsFlat(type);

    [Test]
    public void Copy_IsANewInstanceWithTheSameFields()
    {
        var value = new WithStruct { Pair = new(1, "a"), When = DateTime.UnixEpoch, Maybe = 3 };

        var copy = (WithStruct)CacheValues.CopierOf(typeof(WithStruct))!(value);

        Assert.That(copy, Is.Not.SameAs(value));
        Assert.That((copy.Pair, copy.When, copy.Maybe), Is.EqualTo((value.Pair, value.When, value.Maybe)));
    }

    [Test]
    public void CopierOf_CopiesPrivateReadOnlyAndBaseClassFields()
    {
        var value = new Derived(7, "own") { Shared = 2.5m };

        var copy = (Derived)CacheValues.CopierOf(typeof(Derived))!(value);

        Assert.That(copy, Is.Not.SameAs(value));
        Assert.That((copy.Hidden, copy.Own, copy.Shared, copy.Origin), Is.EqualTo((7, "own", 2.5m, "base")));
    }

    [Test]
    public void CopierOf_RunsNoConstructor()
    {
        var value = new Counted();
        var before = Counted.Constructed;

        var copy = (Counted)CacheValues.CopierOf(typeof(Counted))!(value);

        Assert.That((Counted.Constructed, copy.Serial), Is.EqualTo((before, value.Serial)), "a copy is the same instance's fields, as MemberwiseClone makes it");
    }

    [Test]
    public async Task CopierOf_ADerivedInstanceReadAsItsBase_IsCopiedWhole()
    {
        await using var cache = new StockpileCache();
        await cache.SetAsync("d", new Derived(3, "own") { Shared = 1m });

        var asBase = await cache.GetAsync<Base>("d");
        var asObject = await cache.GetAsync<object>("d");

        Assert.That(asBase, Is.TypeOf<Derived>().And.Property(nameof(Derived.Hidden)).EqualTo(3));
        Assert.That(asObject, Is.TypeOf<Derived>().And.Not.SameAs(asBase));
    }

    [Test]
    public void CopierOf_APrivateTypeOrAnotherAssemblysPrivateFields_AreCopied()
    {
        var hidden = new Hidden(5);
        var version = new Version(1, 2, 3, 4);

        var hiddenCopy = (Hidden)CacheValues.CopierOf(typeof(Hidden))!(hidden);
        var versionCopy = (Version)CacheValues.CopierOf(typeof(Version))!(version);

        Assert.That(hiddenCopy, Is.Not.SameAs(hidden).And.Property(nameof(Hidden.Value)).EqualTo(5));
        Assert.That(versionCopy, Is.Not.SameAs(version).And.EqualTo(version));
    }

    [Test]
    public void CopierOf_ANotFlatType_IsNull() => Assert.That(CacheValues.CopierOf(typeof(WithObject)), Is.Null);

    public class Base
    {
        public string Origin { get; } = "base";

        public decimal Shared { get; set; }
    }

    public sealed class Derived(int hidden, string own) : Base
    {
        private readonly int _hidden = hidden;

        public int Hidden => _hidden;

        public string Own { get; } = own;
    }

    public sealed class Counted
    {
        private static int s_constructed;

        public Counted() => Serial = Interlocked.Increment(ref s_constructed);

        public static int Constructed => Volatile.Read(ref s_constructed);

        public int Serial { get; }
    }

    private sealed class Hidden(int value)
    {
        private readonly int _value = value;

        public int Value => _value;
    }

    public sealed class WithStruct
    {
        public KeyValuePair<int, string> Pair { get; set; }

        public DateTime When { get; set; }

        public int? Maybe { get; set; }
    }

    public sealed class WithObject
    {
        public object? Anything { get; set; }
    }

    public sealed class WithMutableStruct
    {
        public KeyValuePair<int, List<int>> Pair { get; set; }
    }
}
