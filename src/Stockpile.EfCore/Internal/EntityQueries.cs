using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>The queries of one entity type, made once per type so no call needs reflection or a generic lookup.</summary>
/// <typeparam name="TContext">The context type.</typeparam>
internal abstract class EntityQueries<TContext>
    where TContext : DbContext
{
    private static readonly MethodInfo s_create = typeof(EntityQueries<TContext>).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    protected EntityQueries(StockpileEntityType? entityType)
    {
        EntityType = entityType;
    }

    /// <summary>Gets the Stockpile keys of the type, or <see langword="null"/> when Stockpile does not know it (only queried by primary key, for writes).</summary>
    public StockpileEntityType? EntityType { get; }

    public static EntityQueries<TContext> Create(Type clrType, StockpileEntityType? entityType) =>
        (EntityQueries<TContext>)s_create.MakeGenericMethod(clrType).Invoke(null, [entityType])!;

    /// <summary>Finds the object one look-up names, with the key's compiled query.</summary>
    public abstract ValueTask<object?> FindAsync(TContext context, EntityKey key, CancellationToken cancellationToken);

    /// <summary>Runs the look-ups in as few statements as the parameter limit allows and returns every row found.</summary>
    public abstract Task<List<object>> QueryAsync(TContext context, IReadOnlyList<KeyLookup> lookups, int maxParameters, bool forUpdate, CancellationToken cancellationToken);

    private static TypedEntityQueries<TContext, TEntity> CreateTyped<TEntity>(StockpileEntityType? entityType)
        where TEntity : class => new TypedEntityQueries<TContext, TEntity>(entityType);
}
