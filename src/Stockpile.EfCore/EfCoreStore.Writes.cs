using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class EfCoreStore<TContext>
{
    /// <inheritdoc/>
    /// <exception cref="DbUpdateException">The database refused the write (a constraint); nothing was written.</exception>
    /// <exception cref="StockpileMappingException">The context does not map the object's type.</exception>
    /// <exception cref="StockpileSerializationException">A property holds a value its column cannot store as given (text with a lone UTF-16 surrogate or a NUL; on PostgreSQL a key time finer than a microsecond, a <see cref="DateTimeOffset"/> with an offset, a <see cref="DateTime"/> of a kind its column refuses); nothing was written.</exception>
    /// <remarks>On PostgreSQL, a time finer than its column keeps in a property that is no key part is truncated on <paramref name="item"/> itself, as EF Core's own save stores it, so every tier holds what a fresh read returns.</remarks>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) =>
        PutManyCoreAsync([item], cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One query for the rows that exist, then one <c>SaveChanges</c> (one transaction) for the whole batch. When objects share a primary key, the last one wins.</remarks>
    /// <exception cref="DbUpdateException">The database refused the write (a constraint); nothing was written.</exception>
    /// <exception cref="StockpileMappingException">The context does not map an object's type.</exception>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken) =>
        PutBatchAsync(items, null, cancellationToken);

    private async ValueTask PutBatchAsync(IReadOnlyList<object> items, ChainWrite? write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var batch = new Dictionary<object[], object>(KeyValuesComparer.Instance);
        foreach (var item in items)
        {
            _columns.Check(item);
            batch[StockpileEntityType.For(item.GetType()).PrimaryKey.ReadValues(item)!] = item;
        }

        using var outside = OutsideAmbientTransaction();

        for (var attempt = 1; ; attempt++)
        {
            var context = CreateContext();
            await using (context.ConfigureAwait(false))
            {
                var existing = await LoadByPrimaryKeyAsync(context, batch, cancellationToken).ConfigureAwait(false);
                foreach (var (primaryKey, item) in batch)
                {
                    if (existing.TryGetValue(primaryKey, out var row) && context.Entry(row).Metadata == _resolver.EntityTypeOf(item.GetType()))
                    {
                        Overwrite(context.Entry(row), item);
                        continue;
                    }

                    if (row is not null)
                    {
                        // The row holds another type of the hierarchy: replace it.
                        context.Remove(row);
                    }

                    Overwrite(context.Add(context.Entry(item).CurrentValues.ToObject()), item);
                }

                try
                {
                    Settled(await StoreSaves.SaveAsync(context, write, cancellationToken).ConfigureAwait(false));
                    return;
                }
                catch (DbUpdateException) when (attempt <= _options.MaxConflictRetries)
                {
                    // Another writer may have inserted or deleted one of the rows between the read and the save (a
                    // duplicate primary key, or an update of no row): read again. A constraint the data itself breaks
                    // fails the same way every time and is thrown after the last attempt.
                    Internal.Log.ConflictRetry(_logger, Name, "put", attempt);
                }
            }

            await ConflictPauseAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="StockpileNonUniqueKeyException">More than one row matches the look-up; nothing was deleted.</exception>
    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        await DeleteManyCoreAsync([key], cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    /// <remarks>One query per entity type for the rows, then one <c>SaveChanges</c> (one transaction) for the whole batch.</remarks>
    /// <exception cref="StockpileNonUniqueKeyException">More than one row matches a look-up; nothing was deleted.</exception>
    protected override ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        DeleteBatchAsync(keys, null, cancellationToken);

    private async ValueTask<int> DeleteBatchAsync(IReadOnlyList<EntityKey> keys, ChainWrite? write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);

        // A key no row can hold deletes nothing; the others are asked in the form the provider takes.
        keys = [.. _columns.ForLookups(keys).OfType<EntityKey>()];
        using var outside = OutsideAmbientTransaction();
        for (var attempt = 1; ; attempt++)
        {
            var context = CreateContext();
            await using (context.ConfigureAwait(false))
            {
                var rows = new HashSet<object>(ReferenceEqualityComparer.Instance);
                foreach (var group in keys.GroupBy(static k => k.EntityType))
                {
                    var found = await QueryAsync(context, group.Key, group, forUpdate: true, cancellationToken).ConfigureAwait(false);
                    rows.UnionWith(Match(group.Key, [.. group], found).OfType<object>());
                }

                if (rows.Count == 0)
                {
                    return 0;
                }

                context.RemoveRange(rows);
                try
                {
                    Settled(await StoreSaves.SaveAsync(context, write, cancellationToken).ConfigureAwait(false));
                    return rows.Count;
                }
                catch (DbUpdateConcurrencyException) when (attempt <= _options.MaxConflictRetries)
                {
                    // Another writer deleted a row first: read again.
                    Internal.Log.ConflictRetry(_logger, Name, "delete", attempt);
                }
            }

            await ConflictPauseAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    // Writers that raced for the same rows would read and collide again in step: a short random pause, longer each time.
    private static Task ConflictPauseAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(Random.Shared.Next(1, 1 + (2 * attempt)), cancellationToken);

    /// <summary>Reads, tracked, the rows holding the batch's primary keys, from the root of each type's hierarchy so a row of a sibling type is found too.</summary>
    private async Task<Dictionary<object[], object>> LoadByPrimaryKeyAsync(TContext context, Dictionary<object[], object> batch, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<object[], object>(KeyValuesComparer.Instance);
        foreach (var group in batch.GroupBy(p => _resolver.EntityTypeOf(p.Value.GetType()).GetRootType()))
        {
            var primaryKey = group.Key.FindPrimaryKey()!.Properties;
            var lookup = new KeyLookup(primaryKey.Select(static p => p.PropertyInfo!).ToArray(), group.Select(static p => p.Key).ToArray());
            var rows = await QueriesFor(group.Key.ClrType).QueryAsync(context, [lookup], _options.MaxParametersPerStatement, forUpdate: true, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var entry = context.Entry(row);
                existing[primaryKey.Select(p => entry.Property(p.Name).CurrentValue!).ToArray()] = row;
            }
        }

        return existing;
    }

    /// <summary>Saves a store write, marked as the store's own so the interceptor leaves its cache updates to the chain.</summary>
    /// <summary>
    /// Makes a tracked row hold the whole aggregate of <paramref name="item"/>: its mapped values (complex properties
    /// included), then every owned navigation (OwnsOne, OwnsMany, JSON-mapped, nested owned types come with them).
    /// </summary>
    /// <remarks>
    /// The row is the context's own instance (a loaded row, or a copy EF Core built with its own constructor binding),
    /// so the caller's root object is never tracked. Owned objects are handed to the row as they are: EF Core finds
    /// their type only through the navigation that holds them, and replaces the old ones (deleting owned rows that are
    /// gone). Navigations to other aggregates are not written: a put stores one aggregate.
    /// </remarks>
    private static void Overwrite(EntityEntry entry, object item)
    {
        entry.CurrentValues.SetValues(item);
        foreach (var navigation in entry.Metadata.GetNavigations())
        {
            if (!navigation.ForeignKey.IsOwnership || navigation.IsOnDependent)
            {
                continue;
            }

            var value = navigation.GetGetter().GetClrValueUsingContainingEntity(item);
            if (navigation.IsCollection)
            {
                entry.Collection(navigation.Name).CurrentValue = (IEnumerable<object>?)value;
            }
            else
            {
                entry.Reference(navigation.Name).CurrentValue = value;
            }
        }
    }
}
