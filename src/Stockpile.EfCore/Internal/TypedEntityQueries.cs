using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>The queries of <typeparamref name="TEntity"/>: one compiled query per key, and batch queries built per call.</summary>
/// <typeparam name="TContext">The context type.</typeparam>
/// <typeparam name="TEntity">The entity type.</typeparam>
internal sealed class TypedEntityQueries<TContext, TEntity> : EntityQueries<TContext>
    where TContext : DbContext
    where TEntity : class
{
    private readonly Func<TContext, IReadOnlyList<object>, IAsyncEnumerable<TEntity>>?[] _compiled;

    public TypedEntityQueries(StockpileEntityType? entityType)
        : base(entityType)
    {
        // Built now, with the store, not on the first read of each key.
        _compiled = entityType?.Keys.Select(static k => k.Properties.Count <= KeyQueryCompiler.MaxParts ? KeyQueryCompiler.Compile<TContext, TEntity>(k) : null).ToArray() ?? [];
    }

    public override async ValueTask<object?> FindAsync(TContext context, EntityKey key, CancellationToken cancellationToken)
    {
        if (key.Values.Count > KeyQueryCompiler.MaxParts)
        {
            var rows = (await QueryAsync(context, [KeyLookup.Of(key.Key, [key])], int.MaxValue, forUpdate: false, cancellationToken).ConfigureAwait(false))
                .Where(key.IsHeldBy).ToList();
            return rows.Count > 1 ? throw new StockpileNonUniqueKeyException(key) : rows.SingleOrDefault();
        }

        var query = _compiled[key.Key.Index]!;
        TEntity? found = null;
        await foreach (var row in query(context, key.Values).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // The database may compare more loosely than Stockpile (a case-insensitive collation): only the exact key matches,
            // as in batch gets and deletes, so no cache files one row under two spellings.
            if (!key.IsHeldBy(row))
            {
                continue;
            }

            if (found is not null)
            {
                throw new StockpileNonUniqueKeyException(key);
            }

            found = row;
        }

        return found is null ? null : ProxyLoaders.Cut(found);
    }

    public override async Task<List<object>> QueryAsync(TContext context, IReadOnlyList<KeyLookup> lookups, int maxParameters, bool forUpdate, CancellationToken cancellationToken)
    {
        var rows = new List<object>();
        foreach (var statement in BatchPlanner.Plan(lookups, maxParameters))
        {
            // Reads are untracked; writes track what they change, and see rows a global query filter would hide.
            IQueryable<TEntity> query = context.Set<TEntity>();
            query = forUpdate ? query.IgnoreQueryFilters() : query.AsNoTracking();
            foreach (var row in await query.Where(KeyPredicates.Build<TEntity>(statement)).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(forUpdate ? row : ProxyLoaders.Cut(row));
            }
        }

        return rows;
    }
}
