using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Stockpile.Internal;

internal sealed partial class QueryWalker
{
    private static readonly ConcurrentDictionary<Type, bool> s_records = new();
    private readonly StringBuilder _encoded = new(128);

    /// <summary>
    /// The values as key text: each tagged with its kind and strings length-prefixed, so no two different value lists
    /// read alike whatever the strings hold.
    /// </summary>
    /// <exception cref="NotSupportedException">A value of a type the key cannot hold (the message names it).</exception>
    public string EncodeValues()
    {
        _encoded.Clear();
        foreach (var value in _values)
        {
            Encode(value);
        }

        return _encoded.ToString();
    }

    private void Encode(object? value)
    {
        var b = _encoded;
        var invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case null:
                b.Append("n;");
                break;
            case string s:
                b.Append('s').Append(s.Length).Append(':').Append(s).Append(';');
                break;
            case bool flag:
                b.Append(flag ? "b1;" : "b0;");
                break;
            case Enum e:
                b.Append('e').Append(Convert.ToInt64(e, invariant)).Append(';');
                break;
            case int or long or short or byte or sbyte or uint or ushort or char:
                b.Append('i').Append(Convert.ToInt64(value, invariant)).Append(';');
                break;
            case ulong big:
                b.Append('u').Append(big).Append(';');
                break;
            case double or float:
                b.Append('d').Append(Convert.ToDouble(value, invariant).ToString("R", invariant)).Append(';');
                break;
            case decimal number:
                b.Append('m').Append(number.ToString(invariant)).Append(';');
                break;
            case DateTime time:
                b.Append('t').Append(time.Ticks).Append(':').Append((int)time.Kind).Append(';');
                break;
            case DateTimeOffset offset:
                b.Append('o').Append(offset.Ticks).Append(':').Append(offset.Offset.Ticks).Append(';');
                break;
            case DateOnly date:
                b.Append('D').Append(date.DayNumber).Append(';');
                break;
            case TimeOnly clock:
                b.Append('T').Append(clock.Ticks).Append(';');
                break;
            case TimeSpan span:
                b.Append('p').Append(span.Ticks).Append(';');
                break;
            case Guid id:
                b.Append('g').Append(id.ToString("N")).Append(';');
                break;
            case byte[] bytes:
                b.Append('x').Append(Convert.ToBase64String(bytes)).Append(';');
                break;
            case IEnumerable sequence:
                b.Append('[');
                foreach (var item in sequence)
                {
                    Encode(item);
                }

                b.Append("];");
                break;
            default:
                EncodeOther(value);
                break;
        }
    }

    /// <summary>Records (strongly typed ids, say) print every member; any other type could print the same text for different values.</summary>
    private void EncodeOther(object value)
    {
        var type = value.GetType();
        if (!s_records.GetOrAdd(type, static t => t.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.NonPublic) is not null))
        {
            throw new NotSupportedException(EfExceptionMessages.CachedQueryValue(type));
        }

        var text = value.ToString() ?? string.Empty;
        _encoded.Append('r').Append(type.FullName).Append(':').Append(text.Length).Append(':').Append(text).Append(';');
    }
}
