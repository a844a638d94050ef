using Stockpile.Internal;

namespace Stockpile;

public sealed partial class EfCoreStore<TContext>
{
    /// <inheritdoc/>
    /// <exception cref="StockpileMappingException">The context does not map the type looked up.</exception>
    /// <exception cref="StockpileNonUniqueKeyException">More than one row matches the look-up.</exception>
    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var queries = QueriesFor(key.EntityType.ClrType);
        if (_columns.ForLookup(key) is not { } lookup)
        {
            // No row can hold the key (text the database cannot store, a time finer than its columns keep): a miss.
            return null;
        }

        using var outside = OutsideAmbientTransaction();
        var context = CreateContext();
        await using (context.ConfigureAwait(false))
        {
            return await queries.FindAsync(context, lookup, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <remarks>One statement per entity type in the batch, split only past <see cref="EfCoreStoreOptions.MaxParametersPerStatement"/>.</remarks>
    /// <exception cref="StockpileMappingException">The context does not map a type looked up.</exception>
    /// <exception cref="StockpileNonUniqueKeyException">More than one row matches a look-up.</exception>
    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var outside = OutsideAmbientTransaction();
        var lookups = _columns.ForLookups(keys);
        if (!ReferenceEquals(lookups, keys))
        {
            // Some look-ups are asked in another form, or miss without asking: the others run as a batch of their own.
            var asked = Enumerable.Range(0, keys.Count).Where(i => lookups[i] is not null).ToArray();
            var found = asked.Length == 0 ? [] : await GetManyAskedAsync([.. asked.Select(i => lookups[i]!)], cancellationToken).ConfigureAwait(false);
            var answers = new object?[keys.Count];
            for (var j = 0; j < asked.Length; j++)
            {
                answers[asked[j]] = found[j];
            }

            return answers;
        }

        return await GetManyAskedAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<object?[]> GetManyAskedAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        if (IsOneSingleColumnKey(keys))
        {
            return await GetManyBySingleColumnAsync(keys, cancellationToken).ConfigureAwait(false);
        }

        var results = new object?[keys.Count];
        var context = CreateContext();
        await using (context.ConfigureAwait(false))
        {
            foreach (var group in Enumerable.Range(0, keys.Count).GroupBy(i => keys[i].EntityType))
            {
                var positions = group.ToArray();
                var rows = await QueryAsync(context, group.Key, positions.Select(i => keys[i]), forUpdate: false, cancellationToken).ConfigureAwait(false);
                var matched = Match(group.Key, positions.Select(i => keys[i]).ToArray(), rows);
                for (var j = 0; j < positions.Length; j++)
                {
                    results[positions[j]] = matched[j];
                }
            }
        }

        return results;
    }

    /// <summary>Whether every look-up of the batch uses one single-column key of one type: the usual batch, by ids.</summary>
    private static bool IsOneSingleColumnKey(IReadOnlyList<EntityKey> keys)
    {
        if (keys.Count == 0 || keys[0].Key.IsComposite)
        {
            return false;
        }

        var first = keys[0];
        for (var i = 1; i < keys.Count; i++)
        {
            if (!ReferenceEquals(keys[i].Key, first.Key) || !ReferenceEquals(keys[i].EntityType, first.EntityType))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The batch by one single-column key: one <c>IN</c> query, rows matched by the key's value alone (no grouping, no
    /// composite comparers). Matching is exact (ordinal for strings), as in every other look-up.
    /// </summary>
    private async ValueTask<object?[]> GetManyBySingleColumnAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var key = keys[0];
        var values = new object[keys.Count][];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = [keys[i].Values[0]];
        }

        List<object> rows;
        var context = CreateContext();
        await using (context.ConfigureAwait(false))
        {
            rows = await QueriesFor(key.EntityType.ClrType)
                .QueryAsync(context, [new KeyLookup(key.Key.Properties, values)], _options.MaxParametersPerStatement, forUpdate: false, cancellationToken)
                .ConfigureAwait(false);
        }

        var accessor = key.Key.Accessors[0];
        var byValue = new Dictionary<object, object>(rows.Count);
        foreach (var row in rows)
        {
            if (accessor.Read(row) is { } value && !byValue.TryAdd(value, row) && !SamePrimaryKey(key.EntityType, byValue[value], row))
            {
                throw new StockpileNonUniqueKeyException(EntityKey.FromNormalized(key.EntityType, key.Key, [value]));
            }
        }

        var results = new object?[keys.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = byValue.GetValueOrDefault(values[i][0]);
        }

        return results;
    }

    // Statements of a split batch may return one row twice (untracked, so two instances).
    private static bool SamePrimaryKey(StockpileEntityType entityType, object x, object y) =>
        KeyValuesComparer.Instance.Equals(entityType.PrimaryKey.ReadValues(x), entityType.PrimaryKey.ReadValues(y));

    private Task<List<object>> QueryAsync(TContext context, StockpileEntityType entityType, IEnumerable<EntityKey> keys, bool forUpdate, CancellationToken cancellationToken)
    {
        var lookups = keys.GroupBy(static k => k.Key).Select(static g => KeyLookup.Of(g.Key, g.Distinct())).ToArray();
        return QueriesFor(entityType.ClrType).QueryAsync(context, lookups, _options.MaxParametersPerStatement, forUpdate, cancellationToken);
    }

    /// <summary>Pairs each look-up with the row it names; throws when two rows answer one look-up.</summary>
    private static object?[] Match(StockpileEntityType entityType, EntityKey[] keys, List<object> rows)
    {
        // Statements of a split batch may return a row twice (untracked): keep one instance per primary key.
        var distinct = new Dictionary<object[], object>(KeyValuesComparer.Instance);
        foreach (var row in rows)
        {
            if (entityType.PrimaryKey.ReadValues(row) is { } primary)
            {
                distinct.TryAdd(primary, row);
            }
        }

        var requested = new Dictionary<(KeyDefinition Key, object[] Values), object?>(new LookupComparer());
        foreach (var key in keys)
        {
            requested.TryAdd((key.Key, ValuesOf(key)), null);
        }

        var definitions = keys.Select(static k => k.Key).Distinct().ToArray();
        foreach (var row in distinct.Values)
        {
            foreach (var definition in definitions)
            {
                if (definition.ReadValues(row) is { } values && requested.TryGetValue((definition, values), out var prior))
                {
                    if (prior is not null && !ReferenceEquals(prior, row))
                    {
                        throw new StockpileNonUniqueKeyException(keys.First(k => k.Key == definition && KeyValuesComparer.Instance.Equals(ValuesOf(k), values)));
                    }

                    requested[(definition, values)] = row;
                }
            }
        }

        var results = new object?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            results[i] = requested[(keys[i].Key, ValuesOf(keys[i]))];
        }

        return results;
    }

    private static object[] ValuesOf(EntityKey key) => key.Values as object[] ?? [.. key.Values];

    private sealed class LookupComparer : IEqualityComparer<(KeyDefinition Key, object[] Values)>
    {
        public bool Equals((KeyDefinition Key, object[] Values) x, (KeyDefinition Key, object[] Values) y) =>
            ReferenceEquals(x.Key, y.Key) && KeyValuesComparer.Instance.Equals(x.Values, y.Values);

        public int GetHashCode((KeyDefinition Key, object[] Values) obj) =>
            HashCode.Combine(obj.Key, KeyValuesComparer.Instance.GetHashCode(obj.Values));
    }
}
