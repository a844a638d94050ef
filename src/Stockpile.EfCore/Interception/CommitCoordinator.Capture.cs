using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>Reads, before the save, every entity it will add, modify or delete, with its keys as the caches know them.</summary>
    /// <remarks>
    /// A changed owned entity (any depth) stands for its aggregate root, which is captured as modified.
    /// <paramref name="atDetection"/>: EF Core has just detected every change (the capture runs at its detection in the save).
    /// </remarks>
    private CommitBatch? Capture(DbContext context, ModelKeyResolver resolver, bool atDetection = false)
    {
        var batch = new CommitBatch(this, []);
        List<EntityEntry>? owned = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            if (entry.Metadata.IsOwned())
            {
                (owned ??= []).Add(entry);
                continue;
            }

            if (resolver.Resolve(entry.Metadata) is not { } entityType)
            {
                NoteUntracked(batch, entry.Metadata.ClrType);
                continue;
            }

            batch.Changes.Add(CaptureEntry(entityType, entry, entry.State, atDetection));
        }

        if (owned is not null)
        {
            CaptureRoots(context, resolver, owned, batch, new HashSet<object>(batch.Changes.Select(static c => c.Entry.Entity), ReferenceEqualityComparer.Instance), atDetection);
        }

        return batch.ChangesTokens ? batch : null;
    }

    /// <summary>Captures, as modified, the aggregate roots of changed owned entities that the save does not change themselves.</summary>
    private void CaptureRoots(DbContext context, ModelKeyResolver resolver, List<EntityEntry> owned, CommitBatch batch, HashSet<object> captured, bool atDetection)
    {
        var entries = OwnedEntries.Of(context);
        foreach (var entry in owned)
        {
            if (entries.RootOf(entry) is not { } root)
            {
                // Never expected (EF Core tracks an owner with what it owns); the type is dropped whole rather than left stale.
                batch.InvalidateTypes(RootClrType(entry.Metadata));
                continue;
            }

            if (resolver.Resolve(root.Metadata) is not { } entityType)
            {
                NoteUntracked(batch, root.Metadata.ClrType);
                continue;
            }

            if (!captured.Add(root.Entity))
            {
                continue;
            }

            batch.Changes.Add(CaptureEntry(entityType, root, root.State is EntityState.Deleted or EntityState.Added ? root.State : EntityState.Modified, atDetection));
        }
    }

    /// <summary>The fallback when the changes cannot be read key by key: every changed type Stockpile caches, to drop whole.</summary>
    private CommitBatch TypesOnly(DbContext context, ModelKeyResolver resolver)
    {
        var batch = new CommitBatch(this, []);
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var root = RootClrType(entry.Metadata);
            try
            {
                if (resolver.Resolve(resolver.EntityTypeOf(root)) is not null)
                {
                    batch.InvalidateTypes(root);
                }
            }
            catch (Exception ex) when (ex is StockpileMappingException or StockpileKeyException)
            {
                // A type Stockpile cannot name is not in any cache.
            }
        }

        return batch;
    }

    private static Type RootClrType(Microsoft.EntityFrameworkCore.Metadata.IEntityType owned)
    {
        var type = owned;
        while (type.FindOwnership() is { } ownership)
        {
            type = ownership.PrincipalEntityType;
        }

        return type.ClrType;
    }

    private CapturedChange CaptureEntry(StockpileEntityType entityType, EntityEntry entry, EntityState state, bool atDetection)
    {
        var plan = CapturePlan.For(entry.Metadata, entityType);
        var change = new CapturedChange(entityType, entry, state);
        if (state != EntityState.Deleted)
        {
            change.KeyKnownBeforeSave = entry.State != EntityState.Added || !HasTemporaryKey(plan, entry);
            change.NewKeys = change.KeyKnownBeforeSave ? CurrentKeys(entityType, entry.Entity) : [];
            change.WriteThrough = Options.PolicyFor(entityType.ClrType) == StockpileCommitPolicy.WriteThrough;

            // Only a write-through needs to know whether the tracked values are the committed row.
            change.WroteWholeRow = change.WriteThrough && WritesWholeRow(plan, entry, state);

            // After EF Core's detection only a store-generated value can still move a key before the commit (a later
            // interceptor's change is detected too): without one, the keys read now are the keys after the save.
            change.KeysFinal = atDetection && change.KeyKnownBeforeSave && !(state == EntityState.Added ? plan.KeysGeneratedOnAdd : plan.KeysGeneratedOnUpdate);
        }

        if (state != EntityState.Added)
        {
            change.OldKeys = OriginalKeys(plan, entry, change.NewKeys, detectedUpdate: atDetection && state == EntityState.Modified);
        }

        return change;
    }

    /// <summary>
    /// After the save: the final keys (store-generated values are in), and, for a chain with no source of truth to read
    /// the committed rows back from, a detached copy of what was written, holding each time as the database keeps it
    /// (<see cref="ColumnLimits.Truncate"/>: EF Core's save truncated a finer one), so the tiers hold what a fresh read returns.
    /// </summary>
    private void Complete(DbContext context, CommitBatch batch)
    {
        bool? copy = null;
        foreach (var change in batch.Changes)
        {
            if (change.State == EntityState.Deleted)
            {
                continue;
            }

            if (!change.KeysFinal)
            {
                change.NewKeys = CurrentKeys(change.EntityType, change.Entry.Entity, change.NewKeys);
            }

            if (change.WriteThrough && change.WroteWholeRow && change.Entry.State != EntityState.Detached && (copy ??= !Chain.IsSourceOfTruth))
            {
                change.Snapshot = change.Entry.CurrentValues.ToObject();
                ColumnLimits.For(context, Options.UseModelKeys).Truncate(change.Snapshot);
            }
        }
    }

    private static bool HasTemporaryKey(CapturePlan plan, EntityEntry entry)
    {
        foreach (var property in plan.PrimaryKey)
        {
            if (entry.Property(property).IsTemporary)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The keys from the original values: where the caches may hold the entity now. A key whose values did not change
    /// is the look-up already made from the current values (most saves change no key), and when no key changed the
    /// current look-ups are returned as they are. In a <paramref name="detectedUpdate"/> (a modified row, after EF Core's
    /// detection) a key EF Core keeps read-only (<see cref="CapturePlan.KeysReadOnly"/>) is not read again.
    /// </summary>
    private static EntityKey[] OriginalKeys(CapturePlan plan, EntityEntry entry, EntityKey[] current, bool detectedUpdate)
    {
        var entityType = plan.EntityType;
        var count = entityType.Keys.Count;
        EntityKey[]? keys = null;
        var made = 0;
        for (var k = 0; k < count; k++)
        {
            var key = entityType.Keys[k];
            var properties = plan.KeyProperties[k];
            EntityKey? found;
            if (detectedUpdate && plan.KeysReadOnly[k] && k < current.Length && ReferenceEquals(current[k].Key, key))
            {
                found = current[k];
            }
            else if (properties.Length == 1)
            {
                var value = entry.Property(properties[0]).OriginalValue;
                found = value is null ? null : Unchanged(current, key, new ReadOnlySpan<object>(in value)) ?? EntityKey.Of(entityType.ClrType, key.Name, value);
            }
            else
            {
                found = OriginalComposite(entityType, entry, properties, current, key);
            }

            if (keys is null && (found is null || k >= current.Length || !ReferenceEquals(found, current[k])))
            {
                // The first key that is not the current look-up at its place: from here on the keys are listed apart.
                keys = new EntityKey[count];
                Array.Copy(current, keys, k);
                made = k;
            }

            if (keys is not null && found is not null)
            {
                keys[made++] = found;
            }
        }

        // No key moved: every current look-up was found at its place, so they are all there.
        return keys is null ? current : made == count ? keys : keys[..made];
    }

    private static EntityKey? OriginalComposite(StockpileEntityType entityType, EntityEntry entry, Microsoft.EntityFrameworkCore.Metadata.IProperty[] properties, EntityKey[] current, KeyDefinition key)
    {
        var values = new object[properties.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if ((values[i] = entry.Property(properties[i]).OriginalValue!) is null)
            {
                return null;
            }
        }

        return Unchanged(current, key, values) ?? EntityKey.Of(entityType.ClrType, key.Name, values);
    }

    private static EntityKey? Unchanged(EntityKey[] current, KeyDefinition key, ReadOnlySpan<object> values)
    {
        foreach (var candidate in current)
        {
            if (ReferenceEquals(candidate.Key, key))
            {
                return candidate.ValueSpan.SequenceEqual(values) ? candidate : null;
            }
        }

        return null;
    }

    internal static EntityKey[] CurrentKeys(StockpileEntityType entityType, object entity) => CurrentKeys(entityType, entity, []);

    /// <summary>The keys from the current values; a look-up of <paramref name="previous"/> whose values the entity still holds is kept.</summary>
    private static EntityKey[] CurrentKeys(StockpileEntityType entityType, object entity, EntityKey[] previous)
    {
        var keys = new EntityKey[entityType.Keys.Count];
        var count = 0;
        var same = previous.Length == keys.Length;
        for (var k = 0; k < keys.Length; k++)
        {
            var key = entityType.Keys[k];
            if (same && ReferenceEquals(previous[k].Key, key) && previous[k].IsHeldBy(entity))
            {
                keys[count++] = previous[k];
                continue;
            }

            same = false;
            if (EntityKey.FromEntity(entityType, key, entity) is { } made)
            {
                keys[count++] = made;
            }
        }

        return same ? previous : count == keys.Length ? keys : keys[..count];
    }

    /// <summary>
    /// Whether the save writes every mapped value, so the tracked values are exactly the committed row. An update of some
    /// columns leaves the others as the database has them, which may be newer than what this context loaded.
    /// </summary>
    private static bool WritesWholeRow(CapturePlan plan, EntityEntry entry, EntityState state)
    {
        if (plan.OwnsEntities)
        {
            return false;
        }

        if (state == EntityState.Added)
        {
            return true;
        }

        foreach (var property in plan.RowProperties)
        {
            if (!entry.Property(property).IsModified)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks once per model that every type given a policy is mapped: a typo must not silently fall back to the default.</summary>
    private void CheckPolicies(ModelKeyResolver resolver)
    {
        if (_checkedModels.TryGetValue(resolver.Model, out _))
        {
            return;
        }

        foreach (var type in Options.Policies.Keys)
        {
            _ = resolver.EntityTypeOf(type);
        }

        resolver.Report(_logger, resolveAll: true);

        _checkedModels.AddOrUpdate(resolver.Model, resolver);
    }
}
