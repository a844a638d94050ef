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

        var copy = (WithStruct)CacheValues.Copy(value);

        Assert.That(copy, Is.Not.SameAs(value));
        Assert.That((copy.Pair, copy.When, copy.Maybe), Is.EqualTo((value.Pair, value.When, value.Maybe)));
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
