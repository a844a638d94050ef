using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>Reads, before the save, every entity it will add, modify or delete, with its keys as the caches know them.</summary>
    /// <remarks>A changed owned entity (any depth) stands for its aggregate root, which is captured as modified.</remarks>
    private CommitBatch? Capture(DbContext context, ModelKeyResolver resolver)
    {
        var batch = new CommitBatch(this, []);
        var captured = new HashSet<object>(ReferenceEqualityComparer.Instance);
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

            batch.Changes.Add(CaptureEntry(entityType, entry, entry.State));
            captured.Add(entry.Entity);
        }

        if (owned is not null)
        {
            CaptureRoots(context, resolver, owned, batch, captured);
        }

        return batch.ChangesTokens ? batch : null;
    }

    /// <summary>Captures, as modified, the aggregate roots of changed owned entities that the save does not change themselves.</summary>
    private void CaptureRoots(DbContext context, ModelKeyResolver resolver, List<EntityEntry> owned, CommitBatch batch, HashSet<object> captured)
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

            batch.Changes.Add(CaptureEntry(entityType, root, root.State is EntityState.Deleted or EntityState.Added ? root.State : EntityState.Modified));
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

    private CapturedChange CaptureEntry(StockpileEntityType entityType, EntityEntry entry, EntityState state)
    {
        var change = new CapturedChange(entityType, entry, state);
        if (state != EntityState.Added)
        {
            change.OldKeys = OriginalKeys(entityType, entry);
        }

        if (state != EntityState.Deleted)
        {
            change.KeyKnownBeforeSave = !entry.Metadata.FindPrimaryKey()!.Properties.Any(p => entry.Property(p.Name).IsTemporary);
            change.NewKeys = change.KeyKnownBeforeSave ? CurrentKeys(entityType, entry.Entity) : [];
            change.WriteThrough = Options.PolicyFor(entityType.ClrType) == StockpileCommitPolicy.WriteThrough;
            change.WroteWholeRow = WritesWholeRow(entry);
        }

        return change;
    }

    /// <summary>After the save: the final keys (store-generated values are in), and a detached copy of what was written.</summary>
    private static void Complete(CommitBatch batch)
    {
        foreach (var change in batch.Changes)
        {
            if (change.State == EntityState.Deleted)
            {
                continue;
            }

            change.NewKeys = CurrentKeys(change.EntityType, change.Entry.Entity);
            if (change.WriteThrough && change.WroteWholeRow && change.Entry.State != EntityState.Detached)
            {
                change.Snapshot = change.Entry.CurrentValues.ToObject();
            }
        }
    }

    private static EntityKey[] OriginalKeys(StockpileEntityType entityType, EntityEntry entry)
    {
        var keys = new List<EntityKey>(entityType.Keys.Count);
        foreach (var key in entityType.Keys)
        {
            var values = new object[key.Properties.Count];
            var complete = true;
            for (var i = 0; i < values.Length && complete; i++)
            {
                complete = (values[i] = entry.OriginalValues[key.Properties[i].Name]!) is not null;
            }

            if (complete)
            {
                keys.Add(EntityKey.Of(entityType.ClrType, key.Name, values));
            }
        }

        return [.. keys];
    }

    private static EntityKey[] CurrentKeys(StockpileEntityType entityType, object entity) =>
        entityType.Keys.Select(k => EntityKey.FromEntity(entityType, k, entity)).OfType<EntityKey>().ToArray();

    /// <summary>
    /// Whether the save writes every mapped value, so the tracked values are exactly the committed row. An update of some
    /// columns leaves the others as the database has them, which may be newer than what this context loaded.
    /// </summary>
    private static bool WritesWholeRow(EntityEntry entry) =>
        !entry.Metadata.GetNavigations().Any(static n => n.TargetEntityType.IsOwned())
        && (entry.State == EntityState.Added
            || entry.Properties.All(static p => p.IsModified || p.Metadata.IsPrimaryKey() || p.Metadata.IsShadowProperty() || p.Metadata.IsConcurrencyToken));

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
