namespace Stockpile.Redis.Internal;

/// <summary>
/// Picks the keys a clear of one type removes: keys of the type and of its derived types, in a polymorphic store also
/// keys filed under its base types, and keys of types this process does not know (removing too much from a cache is
/// safe; leaving a stale object is not). Keys of both layouts are recognized: a type is named by its token
/// (<see cref="RedisKeyLayout.Compact"/>) or its canonical name (<see cref="RedisKeyLayout.FullTypeNames"/>), so a
/// clear also removes what instances of the other layout cached.
/// </summary>
/// <remarks>
/// Type names and tokens are looked up only among the types this process has used (<see cref="StockpileEntityType"/>,
/// <see cref="Stockpile.Internal.TypeNames"/>): never in the loaded assemblies, and nothing read from Redis is
/// remembered, so names of foreign or renamed types cost nothing after the clear.
/// </remarks>
internal sealed class RedisKeyTypeFilter(StockpileEntityType entityType, bool polymorphic)
{
    public bool Matches(string canonicalKey)
    {
        var name = RedisKeyPatterns.TypeNameOf(canonicalKey);
        if (name == entityType.KeyToken || name == entityType.CanonicalName)
        {
            return true;
        }

        Type type;
        if (Stockpile.Internal.TypeNames.TryFindByToken(name, out var byToken))
        {
            type = byToken;
        }
        else if (StockpileEntityType.TryFindKnown(name, out var known))
        {
            type = known.ClrType;
        }
        else
        {
            return true;
        }

        return entityType.ClrType.IsAssignableFrom(type) || (polymorphic && type.IsAssignableFrom(entityType.ClrType));
    }
}
