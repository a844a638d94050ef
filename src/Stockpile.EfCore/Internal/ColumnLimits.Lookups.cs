namespace Stockpile.Internal;

internal sealed partial class ColumnLimits
{
    /// <summary>
    /// The key the database is asked with: <paramref name="key"/> itself, a copy holding the same values in the form
    /// the provider takes (an instant in UTC), or <see langword="null"/> when no row can hold the key (a miss).
    /// </summary>
    /// <remarks>
    /// Matching rows against the key asked stays Stockpile's (ordinal text, instants, ticks), so a copy finds exactly the
    /// rows the key names.
    /// </remarks>
    public EntityKey? ForLookup(EntityKey key)
    {
        var rules = _keyRules.TryGetValue(key.Key, out var known) ? known : _keyRules.GetOrAdd(key.Key, definition => BuildKeyRules(key.EntityType, definition));
        if (rules is null)
        {
            return key;
        }

        object[]? values = null;
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i] is not { } rule)
            {
                continue;
            }

            var value = key.Values[i];
            if (!rule.TryLookup(value, out var asked))
            {
                return null;
            }

            if (!ReferenceEquals(asked, value))
            {
                values ??= [.. key.Values];
                values[i] = asked;
            }
        }

        return values is null ? key : EntityKey.FromNormalized(key.EntityType, key.Key, values);
    }

    /// <summary>The look-ups of a batch as <see cref="ForLookup"/> makes them; <paramref name="keys"/> itself when none changes.</summary>
    public IReadOnlyList<EntityKey?> ForLookups(IReadOnlyList<EntityKey> keys)
    {
        EntityKey?[]? asked = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var lookup = ForLookup(keys[i]);
            if (!ReferenceEquals(lookup, keys[i]) && asked is null)
            {
                asked = new EntityKey?[keys.Count];
                for (var j = 0; j < i; j++)
                {
                    asked[j] = keys[j];
                }
            }

            if (asked is not null)
            {
                asked[i] = lookup;
            }
        }

        return asked ?? (IReadOnlyList<EntityKey?>)keys;
    }

    private ColumnRule?[]? BuildKeyRules(StockpileEntityType entityType, KeyDefinition key)
    {
        var mapped = _resolver.EntityTypeOf(entityType.ClrType);
        var rules = key.Properties.Select(p => mapped.FindProperty(p.Name) is { } property ? ColumnRule.For(property, _provider, withReader: false) : null).ToArray();
        return rules.Any(static r => r is not null) ? rules : null;
    }
}
