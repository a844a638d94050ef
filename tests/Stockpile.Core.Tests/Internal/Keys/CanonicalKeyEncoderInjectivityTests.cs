using System.Globalization;
using System.Text;

namespace Stockpile.Tests.Internal.Keys;

/// <summary>
/// Two look-ups encode alike exactly when they are equal, over many random look-ups. A failure prints the seed;
/// set <c>STOCKPILE_TEST_SEED</c> to replay it.
/// </summary>
[TestFixture]
public sealed class CanonicalKeyEncoderInjectivityTests
{
    private const int KeyCount = 200_000;

    [Test]
    public void Encode_RandomKeys_FixedSeed_EqualEncodingsExactlyForEqualKeys() => AssertInjective(20_260_101);

    [Test]
    public void Encode_RandomKeys_FreshSeed_EqualEncodingsExactlyForEqualKeys() =>
        AssertInjective(Environment.GetEnvironmentVariable("STOCKPILE_TEST_SEED") is { Length: > 0 } seed
            ? int.Parse(seed, CultureInfo.InvariantCulture)
            : Random.Shared.Next());

    private static void AssertInjective(int seed)
    {
        TestContext.Out.WriteLine($"seed {seed} (replay with STOCKPILE_TEST_SEED={seed})");
        var generator = new RandomKeyGenerator(new Random(seed));
        var byEncoding = new Dictionary<string, EntityKey>(StringComparer.Ordinal);
        var byKey = new Dictionary<EntityKey, string>();
        var byUtf8 = new Dictionary<string, EntityKey>(StringComparer.Ordinal);
        var repeats = 0;
        for (var i = 0; i < KeyCount; i++)
        {
            var key = generator.Next();
            var encoded = key.Encode();
            if (byEncoding.TryGetValue(encoded, out var earlier))
            {
                if (!earlier.Equals(key))
                {
                    Assert.Fail($"seed {seed}, key #{i}: {Describe(earlier)} and {Describe(key)} differ but both encode as {Show(encoded)}");
                }

                repeats++;
            }
            else
            {
                byEncoding.Add(encoded, key);
            }

            if (byKey.TryGetValue(key, out var earlierEncoding) && earlierEncoding != encoded)
            {
                Assert.Fail($"seed {seed}, key #{i}: {Describe(key)} is equal to an earlier key but encodes as {Show(encoded)}, not {Show(earlierEncoding)}");
            }

            byKey.TryAdd(key, encoded);

            // Stores keep keys as UTF-8 bytes (Redis): the encoding must stay injective after that conversion too.
            var utf8 = Convert.ToBase64String(Encoding.UTF8.GetBytes(encoded));
            if (byUtf8.TryGetValue(utf8, out var earlierInUtf8) && !earlierInUtf8.Equals(key))
            {
                Assert.Fail($"seed {seed}, key #{i}: {Describe(earlierInUtf8)} and {Describe(key)} differ but their encodings have the same UTF-8 bytes ({Show(encoded)})");
            }

            byUtf8.TryAdd(utf8, key);
        }

        Assert.That(byKey, Has.Count.EqualTo(byEncoding.Count), $"seed {seed}");
        Assert.That(byUtf8, Has.Count.EqualTo(byEncoding.Count), $"seed {seed}");
        Assert.That(repeats, Is.GreaterThan(KeyCount / 10), "the generator must produce equal keys often, or the 'equal keys encode alike' half is untested");
        Assert.That(byEncoding.Count, Is.GreaterThan(KeyCount / 10), "the generator must produce many distinct keys");
    }

    private static string Describe(EntityKey key) =>
        $"{key.EntityType.ClrType.Name}.{key.Key.Name}({string.Join(", ", key.Values.Select(ShowValue))})";

    private static string ShowValue(object value) => value switch
    {
        string s => $"\"{Show(s)}\"",
        char c => $"'{Show(c.ToString())}'",
        decimal d => $"{d.ToString(CultureInfo.InvariantCulture)}m (scale {d.Scale})",
        DateTime dt => $"{dt.Ticks} ticks {dt.Kind}",
        DateTimeOffset dto => $"{dto.UtcTicks} utc ticks {dto.Offset}",
        _ => $"{value} ({value.GetType().Name})",
    };

    /// <summary>Non-ASCII as \uXXXX, the middle of long strings cut, so a failure message can be read and pasted.</summary>
    private static string Show(string text) =>
        text.Length <= 200 ? Escape(text) : $"{Escape(text[..80])}…({text.Length} chars)…{Escape(text[^80..])}";

    private static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return builder.ToString();
    }
}
