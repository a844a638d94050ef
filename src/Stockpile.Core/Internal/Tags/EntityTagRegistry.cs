using System.Collections.Concurrent;
using System.Reflection;

namespace Stockpile.Internal.Tags;

/// <summary>
/// The process-wide record of which entity types carry tags: selectors registered in code, and types found with
/// <see cref="StockpileTagAttribute"/>s. A registration bumps <see cref="Version"/>, so each
/// <see cref="StockpileEntityType"/> resolves its selector again on its next write (never on a read).
/// </summary>
internal static class EntityTagRegistry
{
    private static readonly ConcurrentDictionary<Type, Func<object, IEnumerable<string>?>> s_registered = new();
    private static readonly ConcurrentDictionary<Type, byte> s_tagged = new();
    private static int s_version;

    /// <summary>Gets a number that changes with every registration.</summary>
    public static int Version => Volatile.Read(ref s_version);

    /// <summary>Gets a value indicating whether any type of this process has tags (a removal with none has nothing to do).</summary>
    public static bool Any => !s_tagged.IsEmpty;

    /// <summary>Gets the entity types known to carry tags: registered, or resolved from attributes so far.</summary>
    public static ICollection<Type> TaggedTypes => s_tagged.Keys;

    public static void Register(Type type, Func<object, IEnumerable<string>?> selector)
    {
        s_registered[type] = selector;
        s_tagged[type] = 0;
        Interlocked.Increment(ref s_version);
    }

    /// <summary>The selector of a type: its own registration, the nearest base type's, or its <see cref="StockpileTagAttribute"/>s; <see langword="null"/> for none.</summary>
    public static EntityTagSelector? Resolve(StockpileEntityType entityType)
    {
        for (var type = entityType.ClrType; type is not null && type != typeof(object); type = type.BaseType)
        {
            if (s_registered.TryGetValue(type, out var selector))
            {
                s_tagged[entityType.ClrType] = 0;
                return new EntityTagSelector(entityType, selector);
            }
        }

        var tagged = new List<(string Prefix, Func<object, object?> Read)>();
        foreach (var property in entityType.ClrType.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (property.GetCustomAttribute<StockpileTagAttribute>(inherit: true) is not { } attribute)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(attribute.Prefix) || property.GetMethod is null || property.GetIndexParameters().Length > 0)
            {
                throw new StockpileKeyException(entityType.ClrType, null, $"[StockpileTag] on property '{property.Name}' needs a non-empty prefix and a readable, non-indexer property.");
            }

            tagged.Add((attribute.Prefix, Keys.KeyPropertyAccessor.CompileRead(entityType.ClrType, property)));
        }

        if (tagged.Count == 0)
        {
            return null;
        }

        s_tagged[entityType.ClrType] = 0;
        var properties = tagged.ToArray();
        return new EntityTagSelector(entityType, entity => FromProperties(properties, entity));
    }

    private static List<string> FromProperties((string Prefix, Func<object, object?> Read)[] properties, object entity)
    {
        var tags = new List<string>(properties.Length);
        foreach (var (prefix, read) in properties)
        {
            if (read(entity) is { } value)
            {
                tags.Add(string.Concat(prefix, ":", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return tags;
    }
}
