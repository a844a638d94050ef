using FsCheck;
using FsCheck.Fluent;

namespace Stockpile.Testing.Fuzz;

/// <summary>
/// FsCheck generators of objects hard on a store: every supported key type (FsCheck's own generators, edge values
/// included), strings full of separators, escapes, braces, glob characters, lone and paired surrogates, empty and long
/// texts, and byte payloads from empty to larger than a store accepts.
/// </summary>
public static class FuzzGenerators
{
    private static readonly string[] s_pieces =
    [
        "", "|", "\\", ":", "s:", "i:1", "{", "}", "{x}", "#", "#alts", "#fence", "*", "?", "[", "]", "%", " ", "\r\n", "\0",
        "\U0001F600", "\u00e9", "e\u0301", "\uFFFD", "\uFEFF", "a", "Id",
    ];

    private static readonly string[] s_loneSurrogates = ["\uD800", "\uDC00", "\uDBFF", "\uDFFF", "a\uD83D", "\uDE00b"];

    // Declared before Text, which uses it (static initializers run in order).

    /// <summary>Any UTF-16 code unit, a surrogate (half of a pair, or alone) now and then.</summary>
    private static Gen<char> CodeUnit { get; } = Gen.Frequency(
        (300, Gen.Choose(0, 0xD7FF)),
        (100, Gen.Choose(0xE000, 0xFFFF)),
        (1, Gen.Choose(0xD800, 0xDFFF))).Select(static c => (char)c);

    /// <summary>Strings: pieces that trip encoders, random UTF-16 code units (lone surrogates among them), or long texts.</summary>
    public static Gen<string> Text { get; } = Gen.Frequency(
        (10, Gen.Elements(s_pieces).ArrayOf().Select(static parts => string.Concat(parts.Take(6)))),
        (6, CodeUnit.ArrayOf().Select(static chars => new string(chars))),
        (2, Gen.Choose(1_000, 40_000).Zip(Gen.Elements(s_pieces)).Select(static p => new string('x', p.Item1) + p.Item2)),
        (1, Gen.Elements(s_pieces).Zip(Gen.Elements(s_loneSurrogates)).Select(static p => p.Item1 + p.Item2)));

    /// <summary>An object of one of the fuzz entity types, its blob up to <paramref name="largeBlobBytes"/> and now and then past it.</summary>
    public static Gen<object> Entity(int largeBlobBytes) => Gen.OneOf(
        Keyed(Gen.Choose(int.MinValue, int.MaxValue).Or(Gen.Elements(0, -1, int.MaxValue, int.MinValue)), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<long>().Or(Gen.Elements(0L, long.MinValue, long.MaxValue)), largeBlobBytes),
        Keyed(Text, largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<Guid>().Or(Gen.Constant(Guid.Empty)), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<bool>(), largeBlobBytes),
        Keyed(CodeUnit.Or(Gen.Elements('|', '\\', '{', '\uD800')), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<decimal>().Or(Gen.Elements(decimal.MaxValue, decimal.MinValue, 1.00m, -0.0m)), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<sbyte>(), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<byte>(), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<short>(), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<ushort>(), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<uint>().Or(Gen.Constant(uint.MaxValue)), largeBlobBytes),
        Keyed(ArbMap.Default.GeneratorFor<ulong>().Or(Gen.Constant(ulong.MaxValue)), largeBlobBytes),
        Keyed(AnyTicks.Zip(Gen.Elements(DateTimeKind.Utc, DateTimeKind.Unspecified)).Select(static p => new DateTime(p.Item1, p.Item2)), largeBlobBytes),
        Keyed(AnyTicks.Where(static t => t > TimeSpan.TicksPerDay && t < DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay).Zip(Gen.Frequency((3, Gen.Choose(-14 * 60, 14 * 60)), (1, Gen.Constant(0))))
            .Select(static p => new DateTimeOffset(p.Item1, TimeSpan.FromMinutes(p.Item2))), largeBlobBytes),
        Keyed(Gen.Choose(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber).Select(DateOnly.FromDayNumber), largeBlobBytes),
        Keyed(AnyTicks.Select(static t => new TimeOnly(t % TimeOnly.MaxValue.Ticks)), largeBlobBytes),
        Keyed(Gen.Elements(FuzzShade.Light, FuzzShade.Dark, (FuzzShade)0, (FuzzShade)int.MaxValue), largeBlobBytes),
        Text.Zip(Text).Zip(Text).Zip(Text).Zip(Blob(largeBlobBytes)).Select(static p => (object)new KeyedPair
        {
            Left = p.Item1.Item1.Item1.Item1, Right = p.Item1.Item1.Item1.Item2, Alt = p.Item1.Item1.Item2, Text = p.Item1.Item2, Blob = p.Item2,
        }));

    /// <summary>Bytes: mostly small, sometimes large, now and then one byte past <paramref name="largeBlobBytes"/>.</summary>
    public static Gen<byte[]> Blob(int largeBlobBytes) => Gen.Frequency(
        (8, Gen.Choose(0, 64).Zip(Gen.Choose(0, int.MaxValue)).Select(static p => Fill(p.Item1, p.Item2))),
        (1, Gen.Choose(largeBlobBytes / 2, largeBlobBytes).Zip(Gen.Choose(0, int.MaxValue)).Select(static p => Fill(p.Item1, p.Item2))),
        (1, Gen.Choose(0, int.MaxValue).Select(seed => Fill(largeBlobBytes + 1, seed))));

    private static Gen<long> Ticks { get; } = Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, int.MaxValue))
        .Select(static p => (long)((((ulong)(uint)p.Item1 << 31) | (uint)p.Item2) % (ulong)DateTime.MaxValue.Ticks))
        .Or(Gen.Elements(0L, DateTime.MaxValue.Ticks, 630_822_816_000_000_000L));

    /// <summary>Ticks, a third of them whole microseconds: what PostgreSQL keeps, so that its round trips are tried too.</summary>
    private static Gen<long> AnyTicks { get; } = Gen.Frequency((2, Ticks), (1, Ticks.Select(static t => t - (t % TimeSpan.TicksPerMicrosecond))));

    private static Gen<object> Keyed<TKey>(Gen<TKey> ids, int largeBlobBytes)
        where TKey : notnull =>
        ids.Zip(Text).Zip(Text).Zip(Blob(largeBlobBytes)).Select(static p => (object)new Keyed<TKey>
        {
            Id = p.Item1.Item1.Item1, Alt = p.Item1.Item1.Item2, Text = p.Item1.Item2, Blob = p.Item2,
        });

    /// <summary>Bytes made from a seed (generating a large array byte by byte would be slow).</summary>
    private static byte[] Fill(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
