using System.Text;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal.Keys;

/// <summary>
/// The short path that writes a look-up by one primary key value straight to UTF-8 (the Redis store's hot path) must
/// write exactly the bytes of <see cref="EntityKey.Encode"/> (or, in the compact layout, of
/// <see cref="EntityKey.EncodeCompact"/>), or decline: another byte would be another Redis key.
/// </summary>
[TestFixture]
public sealed class CanonicalKeyUtf8Tests
{
    private static readonly int[] s_ints = [0, 1, -1, 42, int.MinValue, int.MaxValue];
    private static readonly long[] s_longs = [0L, -7L, long.MinValue, long.MaxValue, 1L << 40];
    private static readonly Guid[] s_guids = [Guid.Empty, Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E"), Guid.NewGuid()];
    private static readonly string[] s_plainStrings = ["", "a", "C-001", "é中文", "with space", "{braces}", "slash/colon:"];

    [Test]
    public void TryWriteCanonicalUtf8_IntLongGuidAndPlainStrings_WritesEncodeAsUtf8([Values] bool polymorphic, [Values] bool compact)
    {
        Assert.Multiple(() =>
        {
            foreach (var value in s_ints)
            {
                AssertSameAsEncode<Product, int>(value, polymorphic, compact);
                AssertSameAsEncode<Car, int>(value, polymorphic, compact);
            }

            foreach (var value in s_longs)
            {
                AssertSameAsEncode<LongKeyed, long>(value, polymorphic, compact);
            }

            foreach (var value in s_guids)
            {
                AssertSameAsEncode<GuidKeyed, Guid>(value, polymorphic, compact);
            }

            foreach (var value in s_plainStrings)
            {
                AssertSameAsEncode<Customer, string>(value, polymorphic, compact);
            }
        });
    }

    [Test]
    public void TryWriteCanonicalUtf8_StringThatNeedsEscapesOrHasSurrogates_Declines()
    {
        // Not [TestCase] arguments: an attribute's strings are stored as UTF-8, which turns a lone surrogate into U+FFFD.
        string[] values = ["a|b", @"a\b", "\uD800", "x\uDC00", "\uD83D\uDE00"];
        var key = StockpileEntityType.For<Customer>().PrimaryKey;

        Assert.That(values.Where(v => key.TryWriteCanonicalUtf8(v, false, new byte[256], out _)), Is.Empty, "left to the general encoder, which escapes them");
    }

    [Test]
    public void TryWriteCanonicalUtf8_CompositeKeyOrOtherValueType_Declines()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StockpileEntityType.For<OrderLine>().PrimaryKey.TryWriteCanonicalUtf8(7, false, new byte[256], out _), Is.False, "a composite key");
            Assert.That(StockpileEntityType.For<Product>().PrimaryKey.TryWriteCanonicalUtf8(7L, false, new byte[256], out _), Is.False, "a long for an int key (the general path converts it)");
            Assert.That(StockpileEntityType.For<Product>().PrimaryKey.TryWriteCanonicalUtf8((short)7, false, new byte[256], out _), Is.False, "a value type the short path does not write");
        });
    }

    [Test]
    public void TryWriteCanonicalUtf8_DestinationTooShort_Declines()
    {
        var key = StockpileEntityType.For<Product>().PrimaryKey;
        var full = Encoding.UTF8.GetByteCount(EntityKey.For<Product>(123456).Encode());

        Assert.Multiple(() =>
        {
            Assert.That(key.TryWriteCanonicalUtf8(123456, false, new byte[full - 1], out _), Is.False);
            Assert.That(key.TryWriteCanonicalUtf8(123456, false, new byte[full], out var written), Is.True);
            Assert.That(written, Is.EqualTo(full));
        });
    }

    private static void AssertSameAsEncode<T, TKey>(TKey value, bool polymorphic, bool compact)
        where TKey : notnull
    {
        var lookup = EntityKey.For<T>(value);
        var expected = Encoding.UTF8.GetBytes(compact ? lookup.EncodeCompact(polymorphic) : lookup.Encode(polymorphic));
        var buffer = new byte[512];
        var done = StockpileEntityType.For<T>().PrimaryKey.TryWriteCanonicalUtf8(value, polymorphic, compact, buffer, out var written);

        Assert.That(done, Is.True, $"{typeof(T).Name} {value}");
        Assert.That(Encoding.UTF8.GetString(buffer, 0, written), Is.EqualTo(Encoding.UTF8.GetString(expected)), $"{typeof(T).Name} {value}");
        Assert.That(buffer.AsSpan(0, written).SequenceEqual(expected), Is.True, $"{typeof(T).Name} {value}: the same bytes");
    }

    /// <summary>A long primary key.</summary>
    public sealed class LongKeyed
    {
        [StockpileKey]
        public long Id { get; set; }
    }

    /// <summary>A Guid primary key.</summary>
    public sealed class GuidKeyed
    {
        [StockpileKey]
        public Guid Id { get; set; }
    }
}
