using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Stockpile.Internal;

/// <summary>One entity added, modified or deleted by a save: its keys before and after, and what to do once committed.</summary>
internal sealed class CapturedChange(StockpileEntityType entityType, EntityEntry entry, EntityState state)
{
    public StockpileEntityType EntityType { get; } = entityType;

    public EntityEntry Entry { get; } = entry;

    /// <summary>Gets the state the entity was saved in.</summary>
    public EntityState State { get; } = state;

    /// <summary>Gets or sets the keys from the original values: what the caches may hold the entity under now.</summary>
    public EntityKey[] OldKeys { get; set; } = [];

    /// <summary>Gets or sets the keys from the current values; final once the save has run (store-generated keys).</summary>
    public EntityKey[] NewKeys { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether the primary key was known before the save (not store-generated).</summary>
    public bool KeyKnownBeforeSave { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="NewKeys"/> are final at the capture: read after EF Core's own
    /// detection, of a row whose key values the save does not generate, so nothing but the application changes them.
    /// </summary>
    public bool KeysFinal { get; set; }

    /// <summary>Gets or sets a value indicating whether the committed state goes into the caches; cleared when that is not safe.</summary>
    public bool WriteThrough { get; set; }

    /// <summary>Gets or sets a value indicating whether the save wrote every mapped value, so the tracked values are the row as committed.</summary>
    public bool WroteWholeRow { get; set; }

    /// <summary>Gets or sets a detached copy of the state as saved, for write-through.</summary>
    public object? Snapshot { get; set; }

    public EntityKey? PrimaryKey => NewKeys.Length > 0 && NewKeys[0].Key.IsPrimary ? NewKeys[0] : OldKeys.Length > 0 && OldKeys[0].Key.IsPrimary ? OldKeys[0] : null;
}
