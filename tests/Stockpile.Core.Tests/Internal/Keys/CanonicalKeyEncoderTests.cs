using Stockpile.Internal.Keys;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal.Keys;

/// <summary>
/// The canonical encoding is a storage format (Redis keys are made of it), so its exact text is pinned here: a change
/// of format fails these tests on purpose. Nothing in it depends on the process (no hash codes, no culture).
/// </summary>
[TestFixture]
public sealed class CanonicalKeyEncoderTests
{
    [Test]
    public void Encode_PrimaryKey_IsGolden()
    {
        Assert.That(EntityKey.For<Product>(42).Encode(), Is.EqualTo("Stockpile.Testing.Entities.Product@Stockpile.Testing|Id|i:42"));
    }

    [Test]
    public void Encode_StringWithSeparatorAndEscape_IsGolden()
    {
        Assert.That(EntityKey.Of<Product>(nameof(Product.Sku), @"a|b\c").Encode(), Is.EqualTo(@"Stockpile.Testing.Entities.Product@Stockpile.Testing|Sku|s:a\|b\\c"));
    }

    [Test]
    public void Encode_CompositeAndGuidKeys_AreGolden()
    {
        Assert.That(EntityKey.For<OrderLine>(7, 3).Encode(), Is.EqualTo("Stockpile.Testing.Entities.OrderLine@Stockpile.Testing|OrderId+LineNumber|i:7|i:3"));
        Assert.That(
            EntityKey.Of<OrderLine>(nameof(OrderLine.LineId), Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E")).Encode(),
            Is.EqualTo("Stockpile.Testing.Entities.OrderLine@Stockpile.Testing|LineId|g:0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    [Test]
    public void Encode_Polymorphic_UsesDeclaringType()
    {
        Assert.That(EntityKey.For<Car>(5).Encode(), Is.EqualTo("Stockpile.Testing.Entities.Car@Stockpile.Testing|Id|i:5"));
        Assert.That(EntityKey.For<Car>(5).Encode(polymorphic: true), Is.EqualTo("Stockpile.Testing.Entities.Automobile@Stockpile.Testing|Id|i:5"));
        Assert.That(EntityKey.For<Truck>(5).Encode(polymorphic: true), Is.EqualTo(EntityKey.For<Car>(5).Encode(polymorphic: true)));
        Assert.That(EntityKey.Of<Car>(nameof(Car.Vin), "V").Encode(polymorphic: true), Is.EqualTo("Stockpile.Testing.Entities.Car@Stockpile.Testing|Vin|s:V"));
    }

    [Test]
    public void Encode_GenericEntityType_IsGolden()
    {
        Assert.That(
            EntityKey.For<KeyValueTypesTests.Holder<int>>(1).Encode(),
            Is.EqualTo("Stockpile.Tests.Internal.Keys.KeyValueTypesTests+Holder<System.Int32>@Stockpile.Core.Tests|Id|i:1"));
    }

    [Test]
    public void Encode_EverySupportedType_IsGolden()
    {
        var key = EntityKey.For<Everything>(
            @"a|b\c", -1, 2L, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Shade.Dark, (short)-3, (byte)4, (sbyte)-5, (ushort)6, 7u, 8ul,
            true, '|', 1.50m, new DateTime(10, DateTimeKind.Local), new DateTimeOffset(new DateTime(TimeSpan.TicksPerHour + 100), TimeSpan.FromHours(1)),
            new DateOnly(1, 1, 2), new TimeOnly(5));

        Assert.That(key.Encode(), Is.EqualTo(
            @"Stockpile.Tests.Internal.Keys.CanonicalKeyEncoderTests+Everything@Stockpile.Core.Tests|All|s:a\|b\\c|i:-1|l:2|g:0f8fad5b-d9cb-469f-a165-70867728950e"
            + @"|e:2|h:-3|y:4|Y:-5|H:6|I:7|L:8|b:1|c:\||m:1.5|t:10|o:100|d:1|T:5"));
    }

    [Test]
    public void Encode_LoneSurrogates_AreEscapedAndPairsKept()
    {
        Assert.That(CanonicalKeyEncoder.Encode("T", "k", ["a\uD800b"]), Is.EqualTo(@"T|k|s:a\uD800b"));
        Assert.That(CanonicalKeyEncoder.Encode("T", "k", ["\uDC00\uD800"]), Is.EqualTo(@"T|k|s:\uDC00\uD800"));
        Assert.That(CanonicalKeyEncoder.Encode("T", "k", ["\uD83D\uDE00|"]), Is.EqualTo("T|k|s:\uD83D\uDE00\\|"));
        Assert.That(CanonicalKeyEncoder.Encode("T", "k", [@"\uD800"]), Is.EqualTo(@"T|k|s:\\uD800"), "a literal backslash-u stays apart from an escaped surrogate");
        Assert.That(CanonicalKeyEncoder.Encode("T", "k", ['\uDFFF']), Is.EqualTo(@"T|k|c:\uDFFF"));
    }

    [Test]
    public void Encode_SameValueOfDifferentTypes_Differs()
    {
        object[] ones = [1, "1", 1L, '1', 1m, (short)1, (byte)1, (sbyte)1, (ushort)1, 1u, 1ul, true, Shade.Light];

        var encodings = ones.Select(v => CanonicalKeyEncoder.Encode("T", "k", [v])).ToList();

        Assert.That(encodings, Is.Unique);
    }

    [Test]
    public void Encode_IntKeyAndStringKey_Differ()
    {
        Assert.That(EntityKey.For<Product>(1).Encode(), Is.Not.EqualTo(EntityKey.Of<Product>(nameof(Product.Sku), "1").Encode()));
        Assert.That(EntityKey.For<Product>(1).Encode(), Is.Not.EqualTo(EntityKey.For<Customer>("1").Encode()));
    }

    [TestCase("1", "1.0", "1.00", "1.0000000000000000000000000000")]
    [TestCase("0", "0.000", "-0", "-0.00")]
    [TestCase("100", "100.00", "1E2", "100.0000000")]
    [TestCase("-2.5", "-2.50", "-2.500000000", "-2.5000000000000000000000000000")]
    public void Encode_EqualDecimalsOfOtherScale_AreEqual(string a, string b, string c, string d)
    {
        var values = new[] { a, b, c, d }.Select(s => decimal.Parse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var encodings = values.Select(v => EntityKey.For<DecimalKey>(v).Encode()).Distinct().ToList();

        Assert.That(encodings, Has.Count.EqualTo(1), string.Join(", ", encodings));
        Assert.That(values.Select(v => EntityKey.For<DecimalKey>(v)).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void Encode_DecimalsAtTheLimits_KeepEveryDigit()
    {
        Assert.That(EntityKey.For<DecimalKey>(decimal.MaxValue).Encode(), Does.EndWith("|m:79228162514264337593543950335"));
        Assert.That(EntityKey.For<DecimalKey>(decimal.MinValue).Encode(), Does.EndWith("|m:-79228162514264337593543950335"));
        Assert.That(EntityKey.For<DecimalKey>(7.9228162514264337593543950335m).Encode(), Does.EndWith("|m:7.9228162514264337593543950335"));
        Assert.That(EntityKey.For<DecimalKey>(0.0000000000000000000000000001m).Encode(), Does.EndWith("|m:0.0000000000000000000000000001"));
    }

    [Test]
    public void Encode_DateTimeSameTicksOtherKind_IsEqual()
    {
        var ticks = new DateTime(2026, 5, 6, 7, 8, 9).Ticks;

        var encodings = Enum.GetValues<DateTimeKind>().Select(kind => EntityKey.For<DateKey>(new DateTime(ticks, kind)).Encode()).Distinct();

        Assert.That(encodings.Count(), Is.EqualTo(1));
    }

    [Test]
    public void Encode_SeparatorMovedBetweenParts_Differs()
    {
        var left = EntityKey.For<StringPair>("a|", "b");
        var right = EntityKey.For<StringPair>("a", "|b");
        var whole = EntityKey.For<StringPair>(@"a|s:b", "");

        Assert.That(new[] { left.Encode(), right.Encode(), whole.Encode() }, Is.Unique);
    }

    [Test]
    public void Encode_TypesNestedInGenericType_Differ()
    {
        var left = EntityKey.For<TypeNamesTests.Envelope<int>.Left>(1);
        var right = EntityKey.For<TypeNamesTests.Envelope<int>.Right>(1);

        Assert.That(left.Encode(), Is.Not.EqualTo(right.Encode()));
    }

    [Test]
    public void Encode_CalledTwice_ReturnsSameString()
    {
        var key = EntityKey.For<Product>(3);

        Assert.That(key.Encode(), Is.SameAs(key.Encode()));
    }

    [Test]
    public void Encode_AfterLongerAndFailedEncodings_StartsFromNothing()
    {
        // The encoder reuses one builder per thread: nothing of a longer key, or of one that failed half-way, may leak.
        Assert.That(CanonicalKeyEncoder.Encode("T", "K", [new string('x', 300), long.MinValue]), Is.EqualTo($"T|K|s:{new string('x', 300)}|l:-9223372036854775808"));
        Assert.Throws<InvalidOperationException>(() => CanonicalKeyEncoder.Encode("T", "K", [1, new object()]));

        Assert.That(CanonicalKeyEncoder.Encode("T", "K", [-7]), Is.EqualTo("T|K|i:-7"));
        Assert.That(CanonicalKeyEncoder.Encode("T", "K", [int.MaxValue, 12L]), Is.EqualTo("T|K|i:2147483647|l:12"));
    }

    public enum Shade
    {
        Light = 1,
        Dark = 2,
    }

    [StockpileKey(
        nameof(S), nameof(I), nameof(L), nameof(G), nameof(E), nameof(Sh), nameof(B), nameof(Sb), nameof(Us), nameof(Ui), nameof(Ul),
        nameof(Bo), nameof(C), nameof(M), nameof(Dt), nameof(Dto), nameof(D), nameof(T), Name = "All")]
    public sealed class Everything
    {
        public string S { get; set; } = "";

        public int I { get; set; }

        public long L { get; set; }

        public Guid G { get; set; }

        public Shade E { get; set; }

        public short Sh { get; set; }

        public byte B { get; set; }

        public sbyte Sb { get; set; }

        public ushort Us { get; set; }

        public uint Ui { get; set; }

        public ulong Ul { get; set; }

        public bool Bo { get; set; }

        public char C { get; set; }

        public decimal M { get; set; }

        public DateTime Dt { get; set; }

        public DateTimeOffset Dto { get; set; }

        public DateOnly D { get; set; }

        public TimeOnly T { get; set; }
    }

    public sealed class DecimalKey
    {
        [StockpileKey]
        public decimal Amount { get; set; }
    }

    public sealed class DateKey
    {
        [StockpileKey]
        public DateTime At { get; set; }
    }

    [StockpileKey(nameof(A), nameof(B))]
    public sealed class StringPair
    {
        public string A { get; set; } = "";

        public string B { get; set; } = "";
    }
}
