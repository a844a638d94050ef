using System.Collections.Concurrent;

namespace Stockpile.Redis.Internal;

/// <summary>
/// Picks the keys a clear of one type removes: keys of the type and of its derived types, in a polymorphic store also
/// keys filed under its base types, and keys of types this process cannot resolve (removing too much from a cache is
/// safe; leaving a stale object is not).
/// </summary>
internal sealed class RedisKeyTypeFilter(StockpileEntityType entityType, bool polymorphic)
{
    private static readonly ConcurrentDictionary<string, Type?> s_resolved = new(StringComparer.Ordinal);

    public bool Matches(string key, int prefixLength)
    {
        var name = RedisKeyPatterns.TypeNameOf(key, prefixLength);
        if (name == entityType.CanonicalName)
        {
            return true;
        }

        var type = Resolve(name);
        return type is null
            || entityType.ClrType.IsAssignableFrom(type)
            || (polymorphic && type.IsAssignableFrom(entityType.ClrType));
    }

    private static Type? Resolve(string canonicalName) =>
        StockpileEntityType.TryFindKnown(canonicalName, out var known)
            ? known.ClrType
            : s_resolved.GetOrAdd(canonicalName, static name => AppDomain.CurrentDomain.GetAssemblies()
                .Select(a => a.GetType(name, throwOnError: false))
                .FirstOrDefault(static t => t is not null));
}
