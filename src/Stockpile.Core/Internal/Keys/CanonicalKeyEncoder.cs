using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stockpile.Internal.Keys;

/// <summary>
/// Writes the one canonical string of a key: <c>type|key|tag:value|tag:value…</c>.
/// </summary>
/// <remarks>
/// Injective by construction: every segment escapes <c>\</c> and <c>|</c> with a backslash, so separators inside a
/// value can never be read as separators; a lone surrogate (a UTF-16 code unit that is not half of a pair) is written
/// <c>\uXXXX</c>, so the string is always valid Unicode and stays injective after a UTF-8 conversion (a Redis key):
/// <c>"\uD800"</c> and <c>"\uFFFD"</c> never meet as U+FFFD; each value carries a tag naming its type, so <c>1</c> and <c>"1"</c> differ;
/// equal values (by .NET equality) encode alike, so <c>1.0m</c> and <c>1.00m</c>, or two <see cref="DateTime"/>s
/// with the same ticks and different kinds, share one encoding. No hash codes and no culture are involved, so the
/// string is the same in every process and on every machine.
/// </remarks>
internal static class CanonicalKeyEncoder
{
    public const char Separator = '|';
    public const char Escape = '\\';

    // Keys are encoded on every look-up of a key-value store: one builder per thread is reused, not one per key.
    private const int MaximumCachedCapacity = 1024;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static string Encode(string typeName, string keyName, ReadOnlySpan<object> values)
    {
        var builder = t_builder ?? new StringBuilder(typeName.Length + keyName.Length + (values.Length * 16));
        t_builder = null; // taken: a nested or failed encoding never shares it
        builder.Clear();
        AppendHead(builder, typeName, keyName);
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(Separator);
            }

            AppendValue(builder, values[i]);
        }

        var encoded = builder.ToString();
        if (builder.Capacity <= MaximumCachedCapacity)
        {
            t_builder = builder;
        }

        return encoded;
    }

    /// <summary>The UTF-8 bytes every encoding of a key starts with: the escaped type and key names, each followed by a separator.</summary>
    public static byte[] HeadUtf8(string typeName, string keyName)
    {
        var builder = new StringBuilder(typeName.Length + keyName.Length + 2);
        AppendHead(builder, typeName, keyName);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// Writes the UTF-8 bytes of one key value exactly as <see cref="Encode"/> writes it, for the value types primary
    /// keys mostly have: <see cref="int"/>, <see cref="long"/>, <see cref="Guid"/>, and a <see cref="string"/> that
    /// needs no escape (no separator, backslash or surrogate). <see langword="false"/> for anything else, or when
    /// <paramref name="destination"/> is too short: use <see cref="Encode"/>.
    /// </summary>
    public static bool TryWriteValueUtf8<TValue>(TValue value, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < 2)
        {
            return false;
        }

        var rest = destination[2..];
        int length;
        bool done;
        if (typeof(TValue) == typeof(int))
        {
            "i:"u8.CopyTo(destination);
            done = Unsafe.As<TValue, int>(ref value).TryFormat(rest, out length, default, CultureInfo.InvariantCulture);
        }
        else if (typeof(TValue) == typeof(long))
        {
            "l:"u8.CopyTo(destination);
            done = Unsafe.As<TValue, long>(ref value).TryFormat(rest, out length, default, CultureInfo.InvariantCulture);
        }
        else if (typeof(TValue) == typeof(Guid))
        {
            "g:"u8.CopyTo(destination);
            done = Unsafe.As<TValue, Guid>(ref value).TryFormat(rest, out length, "D");
        }
        else if (typeof(TValue) == typeof(string) && value is string text
            && text.AsSpan().IndexOfAny(Separator, Escape) < 0 && !HasSurrogates(text))
        {
            "s:"u8.CopyTo(destination);
            done = Encoding.UTF8.TryGetBytes(text, rest, out length);
        }
        else
        {
            return false;
        }

        written = done ? length + 2 : 0;
        return done;
    }

    private static void AppendHead(StringBuilder builder, string typeName, string keyName)
    {
        AppendEscaped(builder, typeName);
        builder.Append(Separator);
        AppendEscaped(builder, keyName);
        builder.Append(Separator);
    }

    private static void AppendValue(StringBuilder builder, object value)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (value)
        {
            case string s:
                builder.Append("s:");
                AppendEscaped(builder, s);
                break;
            case int i:
                builder.Append(inv, $"i:{i}");
                break;
            case long l:
                builder.Append(inv, $"l:{l}");
                break;
            case Guid g:
                builder.Append("g:").Append(g.ToString("D"));
                break;
            case Enum e:
                builder.Append("e:").Append(Convert.ToDecimal(e, inv).ToString(inv));
                break;
            case short sh:
                builder.Append("h:").Append(sh.ToString(inv));
                break;
            case byte b:
                builder.Append("y:").Append(b.ToString(inv));
                break;
            case sbyte sb:
                builder.Append("Y:").Append(sb.ToString(inv));
                break;
            case ushort us:
                builder.Append("H:").Append(us.ToString(inv));
                break;
            case uint ui:
                builder.Append("I:").Append(ui.ToString(inv));
                break;
            case ulong ul:
                builder.Append("L:").Append(ul.ToString(inv));
                break;
            case bool bo:
                builder.Append(bo ? "b:1" : "b:0");
                break;
            case char c:
                builder.Append("c:");
                AppendEscaped(builder, c.ToString());
                break;
            case decimal d:
                builder.Append("m:").Append(Normalize(d).ToString(inv));
                break;
            case DateTime dt:
                builder.Append("t:").Append(dt.Ticks.ToString(inv));
                break;
            case DateTimeOffset dto:
                builder.Append("o:").Append(dto.UtcTicks.ToString(inv));
                break;
            case DateOnly date:
                builder.Append("d:").Append(date.DayNumber.ToString(inv));
                break;
            case TimeOnly time:
                builder.Append("T:").Append(time.Ticks.ToString(inv));
                break;
            default:
                throw new InvalidOperationException($"Key values of type '{value.GetType()}' cannot be encoded.");
        }
    }

    /// <summary>Removes trailing zeros (and the sign of zero), so equal decimals print alike.</summary>
    private static decimal Normalize(decimal value) => value == 0m ? 0m : value / 1.0000000000000000000000000000m;

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAny(Separator, Escape) < 0 && !HasSurrogates(span))
        {
            builder.Append(text);
            return;
        }

        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c is Separator or Escape)
            {
                builder.Append(Escape).Append(c);
            }
            else if (!char.IsSurrogate(c))
            {
                builder.Append(c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                builder.Append(c).Append(span[++i]);
            }
            else
            {
                // '\' is otherwise only ever followed by '|' or '\', so "\u" plus four hex digits cannot be read as anything else.
                builder.Append(Escape).Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
    }

    private static bool HasSurrogates(ReadOnlySpan<char> text) => text.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;
}
