using System.Collections.Concurrent;
using System.Text;

namespace Stockpile.Internal;

/// <summary>
/// Stable names for types: the same in every process and on every machine (no assembly versions, no hash codes).
/// </summary>
internal static class TypeNames
{
    private static readonly ConcurrentDictionary<Type, string> s_canonical = new();

    /// <summary>The name used in canonical key encodings: namespace-qualified, generic arguments spelled out.</summary>
    public static string Canonical(Type type) => s_canonical.GetOrAdd(type, static t => Build(t, qualified: true));

    /// <summary>A short name for messages.</summary>
    public static string Display(Type type) => Build(type, qualified: false);

    private static string Build(Type type, bool qualified)
    {
        if (!type.IsGenericType)
        {
            return (qualified ? type.FullName : type.Name) ?? type.Name;
        }

        var builder = new StringBuilder();
        var definition = type.GetGenericTypeDefinition();
        var name = (qualified ? definition.FullName : definition.Name) ?? definition.Name;
        var arguments = type.GetGenericArguments();

        // A type nested in a generic type carries one arity marker per level ("Outer`1+Inner"); each level is written
        // with its own arguments, so Outer<int>, Outer<int>.Inner and Outer<int>.Other keep distinct names.
        var segments = name.Split('+');
        var next = 0;
        for (var s = 0; s < segments.Length; s++)
        {
            if (s > 0)
            {
                builder.Append('+');
            }

            var segment = segments[s];
            var tick = segment.IndexOf('`', StringComparison.Ordinal);
            var arity = s == segments.Length - 1
                ? arguments.Length - next
                : tick >= 0 && int.TryParse(segment.AsSpan(tick + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var declared) ? declared : 0;
            builder.Append(tick < 0 ? segment : segment[..tick]);
            if (arity <= 0)
            {
                continue;
            }

            builder.Append('<');
            for (var i = next; i < next + arity; i++)
            {
                if (i > next)
                {
                    builder.Append(',');
                }

                builder.Append(Build(arguments[i], qualified));
            }

            builder.Append('>');
            next += arity;
        }

        return builder.ToString();
    }
}
