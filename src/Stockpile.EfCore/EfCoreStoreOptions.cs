namespace Stockpile;

/// <summary>Options of an <see cref="EfCoreStore{TContext}"/>.</summary>
public sealed class EfCoreStoreOptions
{
    /// <summary>Gets or sets the store's name in logs and metrics.</summary>
    /// <value>The default value is <c>"database"</c>.</value>
    public string Name { get; set; } = "database";

    /// <summary>
    /// Gets or sets a value indicating whether entity types without <see cref="StockpileKeyAttribute"/>s take their keys
    /// from the EF Core model: the primary key, then every alternate key and unique index.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>: only types that declare their keys (or were registered with
    /// <see cref="StockpileEntityType.Register"/>) can be stored. Either way, declared keys are checked against the model
    /// when the store is built, and a mismatch throws <see cref="StockpileMappingException"/>.
    /// </value>
    public bool UseModelKeys { get; set; }

    /// <summary>Gets or sets the most query parameters one batch statement may carry.</summary>
    /// <value>
    /// The default value is 500, well under the limits of SQL Server (2,100), SQLite (999 on old builds) and PostgreSQL
    /// (65,535). A batch get by a composite key needs one parameter per key part per look-up; a larger batch is split
    /// into several statements. Look-ups by a single-column key are one parameter (or inlined), whatever their number.
    /// </value>
    public int MaxParametersPerStatement { get; set; } = 500;

    /// <summary>Gets or sets how many times a put or delete is retried when a concurrent write changed the rows it was based on.</summary>
    /// <value>
    /// The default value is 5. An upsert reads which primary keys exist, then inserts or updates; when another writer
    /// inserts or deletes one of those rows in between, the save fails and is retried from the read, after a short
    /// random pause that grows with each attempt (so writers racing for the same rows stop colliding in step). A
    /// failure the data itself causes (a unique index it violates) fails every attempt and is thrown after the last one.
    /// </value>
    public int MaxConflictRetries { get; set; } = 5;
}
