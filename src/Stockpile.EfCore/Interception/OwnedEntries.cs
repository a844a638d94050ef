using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stockpile.Internal;

/// <summary>
/// Finds the aggregate root of an owned entry (OwnsOne, OwnsMany, JSON-mapped, at any depth): a change to an owned
/// entity is a change of the object the caches hold, which is its root. EF Core tracks owned entities as entries of
/// their own and may leave the root Unchanged.
/// </summary>
/// <remarks>
/// Each level is found through the ownership's foreign key: its values are the owner's principal key, and the owner is
/// tracked in the same context (EF Core never tracks an owned entity without its owner). Built once per save, and only
/// when the save changes an owned entity.
/// </remarks>
internal sealed class OwnedEntries
{
    private readonly Dictionary<(IEntityType Type, IKey Key), Dictionary<object[], EntityEntry>> _byKey = [];

    private OwnedEntries(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            var type = entry.Metadata;
            foreach (var key in type.GetKeys())
            {
                if (ValuesOf(entry, key.Properties) is { } values)
                {
                    Index(type.GetRootType(), key).TryAdd(values, entry);
                }
            }
        }
    }

    public static OwnedEntries Of(DbContext context) => new(context);

    /// <summary>Gets the root entry that owns <paramref name="owned"/>, or <see langword="null"/> when a level cannot be found.</summary>
    public EntityEntry? RootOf(EntityEntry owned)
    {
        var entry = owned;
        while (entry.Metadata.IsOwned())
        {
            var ownership = entry.Metadata.FindOwnership()!;
            if (ValuesOf(entry, ownership.Properties) is not { } principal
                || !_byKey.TryGetValue((ownership.PrincipalEntityType.GetRootType(), ownership.PrincipalKey), out var owners)
                || !owners.TryGetValue(principal, out var owner))
            {
                return null;
            }

            entry = owner;
        }

        return entry;
    }

    private Dictionary<object[], EntityEntry> Index(IEntityType rootType, IKey key)
    {
        if (!_byKey.TryGetValue((rootType, key), out var index))
        {
            _byKey[(rootType, key)] = index = new Dictionary<object[], EntityEntry>(KeyValuesComparer.Instance);
        }

        return index;
    }

    /// <summary>The values of some properties; for a deleted entry the original ones, since a severed owner link may be nulled.</summary>
    private static object[]? ValuesOf(EntityEntry entry, IReadOnlyList<IProperty> properties)
    {
        var values = new object[properties.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var property = entry.Property(properties[i].Name);
            var value = property.CurrentValue ?? property.OriginalValue;
            if (value is null)
            {
                return null;
            }

            values[i] = value;
        }

        return values;
    }
}
