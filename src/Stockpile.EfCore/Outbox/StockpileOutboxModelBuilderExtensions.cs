using Microsoft.EntityFrameworkCore;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>Adds Stockpile's invalidation outbox table to a context's model.</summary>
public static class StockpileOutboxModelBuilderExtensions
{
    /// <summary>
    /// Adds the outbox table to the model, so that the app's migrations create it: call it in <c>OnModelCreating</c>
    /// of every context registered with <c>AddOutbox&lt;TContext&gt;()</c>, then add a migration.
    /// </summary>
    /// <param name="modelBuilder">The context's model builder.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="schema">The table's schema; <see langword="null"/> for the model's default.</param>
    /// <returns>The model builder, for chaining.</returns>
    /// <remarks>
    /// The table holds one row per commit whose cache evictions have not completed yet: <c>Id</c> (32 characters),
    /// <c>CreatedAt</c> and <c>LockedUntil</c> (Unix milliseconds) and <c>Payload</c> (JSON naming the keys, types and
    /// tables to evict). It is a shared-type entity named <c>Stockpile.Outbox</c>, with no CLR type of its own; column
    /// names follow the model's conventions.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="table"/> is empty or white space.</exception>
    public static ModelBuilder AddStockpileOutbox(this ModelBuilder modelBuilder, string table = "StockpileOutbox", string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        modelBuilder.SharedTypeEntity<Dictionary<string, object>>(OutboxTable.EntityName, entity =>
        {
            entity.ToTable(table, schema);
            entity.IndexerProperty<string>(OutboxTable.IdColumn).HasMaxLength(32).IsRequired();
            entity.IndexerProperty<long>(OutboxTable.CreatedAtColumn);
            entity.IndexerProperty<string>(OutboxTable.PayloadColumn).IsRequired();
            entity.IndexerProperty<long?>(OutboxTable.LockedUntilColumn);
            entity.HasKey(OutboxTable.IdColumn);
            entity.HasIndex(OutboxTable.CreatedAtColumn);
        });
        return modelBuilder;
    }
}
