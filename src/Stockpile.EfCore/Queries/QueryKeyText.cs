using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stockpile.Internal;

/// <summary>
/// A query's values as key text: each tagged with its kind and strings length-prefixed, so no two different value lists
/// read alike whatever the strings hold. Numbers are written straight into the builder (no string per value); the
/// generic <see cref="Append{T}"/> writes a compiled query's arguments without boxing them.
/// </summary>
internal static class QueryKeyText
{
    private static readonly ConcurrentDictionary<Type, bool> s_records = new();

    /// <summary>Appends one value the way <see cref="Append(StringBuilder, object?)"/> does, unboxed for the common types.</summary>
    /// <exception cref="NotSupportedException">A value of a type the key cannot hold (the message names it).</exception>
    public static void Append<T>(StringBuilder b, T value)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (typeof(T) == typeof(int))
        {
            b.Append(invariant, $"i{Unsafe.As<T, int>(ref value)};");
        }
        else if (typeof(T) == typeof(long))
        {
            b.Append(invariant, $"i{Unsafe.As<T, long>(ref value)};");
        }
        else if (typeof(T) == typeof(decimal))
        {
            b.Append(invariant, $"m{Unsafe.As<T, decimal>(ref value)};");
        }
        else if (typeof(T) == typeof(bool))
        {
            b.Append(Unsafe.As<T, bool>(ref value) ? "b1;" : "b0;");
        }
        else if (typeof(T) == typeof(Guid))
        {
            b.Append(invariant, $"g{Unsafe.As<T, Guid>(ref value):N};");
        }
        else if (typeof(T) == typeof(DateTime))
        {
            var time = Unsafe.As<T, DateTime>(ref value);
            b.Append(invariant, $"t{time.Ticks}:{(int)time.Kind};");
        }
        else
        {
            Append(b, (object?)value);
        }
    }

    /// <summary>Appends one value.</summary>
    /// <exception cref="NotSupportedException">A value of a type the key cannot hold (the message names it).</exception>
    public static void Append(StringBuilder b, object? value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case null:
                b.Append("n;");
                break;
            case string s:
                b.Append(invariant, $"s{s.Length}:").Append(s).Append(';');
                break;
            case bool flag:
                b.Append(flag ? "b1;" : "b0;");
                break;
            case Enum e:
                b.Append(invariant, $"e{Convert.ToInt64(e, invariant)};");
                break;
            case int or long or short or byte or sbyte or uint or ushort or char:
                b.Append(invariant, $"i{Convert.ToInt64(value, invariant)};");
                break;
            case ulong big:
                b.Append(invariant, $"u{big};");
                break;
            case double or float:
                b.Append(invariant, $"d{Convert.ToDouble(value, invariant):R};");
                break;
            case decimal number:
                b.Append(invariant, $"m{number};");
                break;
            case DateTime time:
                b.Append(invariant, $"t{time.Ticks}:{(int)time.Kind};");
                break;
            case DateTimeOffset offset:
                b.Append(invariant, $"o{offset.Ticks}:{offset.Offset.Ticks};");
                break;
            case DateOnly date:
                b.Append(invariant, $"D{date.DayNumber};");
                break;
            case TimeOnly clock:
                b.Append(invariant, $"T{clock.Ticks};");
                break;
            case TimeSpan span:
                b.Append(invariant, $"p{span.Ticks};");
                break;
            case Guid id:
                b.Append(invariant, $"g{id:N};");
                break;
            case byte[] bytes:
                b.Append('x').Append(Convert.ToBase64String(bytes)).Append(';');
                break;
            case IEnumerable sequence:
                b.Append('[');
                foreach (var item in sequence)
                {
                    Append(b, item);
                }

                b.Append("];");
                break;
            default:
                AppendOther(b, value);
                break;
        }
    }

    /// <summary>Records (strongly typed ids, say) print every member; any other type could print the same text for different values.</summary>
    private static void AppendOther(StringBuilder b, object value)
    {
        var type = value.GetType();
        if (!s_records.GetOrAdd(type, static t => t.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.NonPublic) is not null))
        {
            throw new NotSupportedException(EfExceptionMessages.CachedQueryValue(type));
        }

        var text = value.ToString() ?? string.Empty;
        b.Append('r').Append(type.FullName).Append(':').Append(text.Length).Append(':').Append(text).Append(';');
    }
}
