namespace Stockpile.Tests.Internal.Keys;

/// <summary>
/// Makes random look-ups that are hard on an encoder: strings full of separators, escapes, colons, tags, lone and paired
/// surrogates, empty and 10,000-character strings; composite keys whose parts can trade a separator; equal values written
/// differently (decimal scale, DateTime kind, DateTimeOffset offset); key names that contain separators; and entity types
/// that differ only by name. Small value pools make equal keys frequent, so both directions of injectivity are tested.
/// </summary>
public sealed class RandomKeyGenerator
{
    private static readonly Type[] s_types =
    [
        typeof(Alpha), typeof(Beta), typeof(Pair), typeof(Mixed),
        typeof(TypeNamesTests.Envelope<int>.Left), typeof(TypeNamesTests.Envelope<int>.Right), typeof(TypeNamesTests.Envelope<string>.Left),
    ];

    private static readonly string[] s_tricky =
    [
        "", "|", "\\", ":", "s:", "|s:", "\\|", "|\\", "\\\\", "||", "a", "b", "a|b", "a\\|b", "a\\", "i:1", "1", "Id", "Id|s:x",
        "\U0001F600", "\uD83D", "\uDE00", "\u00e9", "e\u0301", "\0",
    ];

    private static readonly char[] s_alphabet = ['a', 'b', '|', '\\', ':', 's', '1', '\u00e9', '\uD83D', '\uDE00', '\0'];

    /// <summary>Few enough pieces that the same text is often split differently between the parts of a composite key.</summary>
    private static readonly string[] s_tokens = ["a", "|", "\\", "s:", "|s:"];

    private static readonly decimal[] s_decimals = [0m, 1m, -1m, 1.5m, 0.1m, 100m, new(0, 0, 0, true, 3)];

    private static readonly decimal[] s_scalers = [1m, 1.0m, 1.00m, 1.0000000m];

    private static readonly long[] s_ticks = [0, 1, 630_822_816_000_000_000, 638_000_000_000_000_000];

    private static readonly Guid[] s_guids = [Guid.Empty, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7")];

    private readonly Random _random;
    private readonly string _long;

    public RandomKeyGenerator(Random random)
    {
        _random = random;
        _long = RandomString(10_000);
    }

    public EntityKey Next()
    {
        var type = StockpileEntityType.For(s_types[_random.Next(s_types.Length)]);
        var key = type.Keys[_random.Next(type.Keys.Count)];
        var values = key.ValueTypes.Select(Value).ToArray();
        return EntityKey.Of(type.ClrType, key.Name, values);
    }

    private object Value(Type type) => type switch
    {
        _ when type == typeof(string) => String(),
        _ when type == typeof(int) => Chance(70) ? _random.Next(-2, 3) : _random.Next(int.MinValue, int.MaxValue),
        _ when type == typeof(long) => Chance(70) ? (long)_random.Next(-2, 3) : _random.NextInt64(long.MinValue, long.MaxValue),
        _ when type == typeof(decimal) => Decimal(),
        _ when type == typeof(DateTime) => new DateTime(Ticks(), (DateTimeKind)_random.Next(3)),
        _ when type == typeof(DateTimeOffset) => Offset(),
        _ when type == typeof(Guid) => Chance(80) ? s_guids[_random.Next(s_guids.Length)] : RandomGuid(),
        _ when type == typeof(char) => s_alphabet[_random.Next(s_alphabet.Length)],
        _ when type == typeof(bool) => Chance(50),
        _ when type == typeof(Shade) => Enum.ToObject(typeof(Shade), Chance(80) ? _random.Next(1, 3) : _random.Next()),
        _ => throw new NotSupportedException(type.Name),
    };

    private string String()
    {
        var roll = _random.Next(1000);
        return roll switch
        {
            < 300 => Tricky(),
            < 500 => RandomString(_random.Next(0, 7)),
            < 800 => Tokens(_random.Next(0, 5)),
            < 990 => string.Concat(Tricky(), Tricky(), Chance(50) ? Tricky() : ""),
            < 996 => Unicode(_random.Next(1, 20)),
            _ => LongVariant(),
        };
    }

    private string Tricky() => s_tricky[_random.Next(s_tricky.Length)];

    private string RandomString(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = s_alphabet[_random.Next(s_alphabet.Length)];
        }

        return new string(chars);
    }

    private string Tokens(int count)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(s_tokens[_random.Next(s_tokens.Length)]);
        }

        return builder.ToString();
    }

    private string Unicode(int codePoints)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < codePoints; i++)
        {
            var codePoint = Chance(70) ? _random.Next(0x20, 0xD800) : _random.Next(0x10000, 0x110000);
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    /// <summary>The same 10,000 characters, or with one character changed, or with a separator or escape slipped in.</summary>
    private string LongVariant()
    {
        var at = _random.Next(_long.Length);
        return _random.Next(4) switch
        {
            0 => _long,
            1 => string.Concat(_long.AsSpan(0, at), "|", _long.AsSpan(at + 1)),
            2 => _long.Insert(at, "\\"),
            _ => _long + Tricky(),
        };
    }

    private decimal Decimal()
    {
        if (Chance(60))
        {
            return s_decimals[_random.Next(s_decimals.Length)] * s_scalers[_random.Next(s_scalers.Length)];
        }

        return new decimal(_random.Next(), _random.Next(), Chance(50) ? 0 : _random.Next(), Chance(50), (byte)_random.Next(29));
    }

    private long Ticks() => Chance(70) ? s_ticks[_random.Next(s_ticks.Length)] : _random.NextInt64(DateTime.MaxValue.Ticks);

    private DateTimeOffset Offset()
    {
        var utc = Chance(70) ? s_ticks[2 + _random.Next(2)] : _random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
        var offset = TimeSpan.FromHours(_random.Next(-12, 15));
        return new DateTimeOffset(utc + offset.Ticks, offset);
    }

    private Guid RandomGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private bool Chance(int percent) => _random.Next(100) < percent;

    public enum Shade
    {
        Light = 1,
        Dark = 2,
    }

    public sealed class Alpha
    {
        [StockpileKey]
        public string Id { get; set; } = "";

        [StockpileKey(Name = "Id|s:x")]
        public string Other { get; set; } = "";

        [StockpileKey(Name = @"Id\")]
        public string Third { get; set; } = "";
    }

    public sealed class Beta
    {
        [StockpileKey]
        public string Id { get; set; } = "";

        [StockpileKey]
        public char Letter { get; set; }
    }

    [StockpileKey(nameof(A), nameof(B))]
    [StockpileKey(nameof(A), nameof(B), nameof(C))]
    [StockpileKey(nameof(B), nameof(A), Name = "A")]
    public sealed class Pair
    {
        public string A { get; set; } = "";

        public string B { get; set; } = "";

        public string C { get; set; } = "";
    }

    [StockpileKey(nameof(Number), nameof(Text))]
    [StockpileKey(nameof(Text), nameof(Amount), nameof(When))]
    public sealed class Mixed
    {
        public int Number { get; set; }

        public string Text { get; set; } = "";

        [StockpileKey]
        public long Wide { get; set; }

        public decimal Amount { get; set; }

        public DateTime When { get; set; }

        [StockpileKey]
        public DateTimeOffset At { get; set; }

        [StockpileKey]
        public Guid Uid { get; set; }

        [StockpileKey]
        public Shade Tone { get; set; }

        [StockpileKey]
        public bool? Flag { get; set; }
    }
}
