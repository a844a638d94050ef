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
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        builder.Append(tick < 0 ? name : name[..tick]).Append('<');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Build(arguments[i], qualified));
        }

        return builder.Append('>').ToString();
    }
}
