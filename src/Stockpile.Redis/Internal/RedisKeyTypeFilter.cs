namespace Stockpile.Redis.Internal;

/// <summary>
/// Picks the keys a clear of one type removes: keys of the type and of its derived types, in a polymorphic store also
/// keys filed under its base types, and keys of types this process does not know (removing too much from a cache is
/// safe; leaving a stale object is not).
/// </summary>
/// <remarks>
/// Type names are looked up only among the entity types this process has used (<see cref="StockpileEntityType"/>):
/// never in the loaded assemblies, and nothing read from Redis is remembered, so names of foreign or renamed types
/// cost nothing after the clear.
/// </remarks>
internal sealed class RedisKeyTypeFilter(StockpileEntityType entityType, bool polymorphic)
{
    public bool Matches(string canonicalKey)
    {
        var name = RedisKeyPatterns.TypeNameOf(canonicalKey);
        if (name == entityType.CanonicalName)
        {
            return true;
        }

        if (!StockpileEntityType.TryFindKnown(name, out var known))
        {
            return true;
        }

        var type = known.ClrType;
        return entityType.ClrType.IsAssignableFrom(type) || (polymorphic && type.IsAssignableFrom(entityType.ClrType));
    }
}
