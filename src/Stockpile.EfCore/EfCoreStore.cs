using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// A store over a database through EF Core: the source of truth at the bottom of a <see cref="ChainedStore"/>.
/// </summary>
/// <typeparam name="TContext">The context type whose model maps the entity types.</typeparam>
/// <remarks>
/// <para>Every operation uses a short-lived context from <see cref="IDbContextFactory{TContext}"/>, so one store is safe
/// to share across threads. Objects returned are not tracked by any context.</para>
/// <para><b>Gets</b> run one query on the key's columns, compiled once per key; a look-up that matches more than one row
/// throws <see cref="StockpileNonUniqueKeyException"/>. A <b>batch get</b> runs one statement per entity type (an
/// <c>IN</c> list per single-column key, OR-ed matches for composite keys), split only when a composite key's values
/// pass <see cref="EfCoreStoreOptions.MaxParametersPerStatement"/>; results come back in request order with
/// <see langword="null"/> for misses.</para>
/// <para><b>Puts</b> are upserts by primary key of the whole aggregate the model maps (owned types, complex
/// properties): one query finds which rows exist, then one <c>SaveChanges</c> inserts and updates the whole batch in one
/// transaction; new rows are built by EF Core (constructor binding). A put that violates a constraint throws
/// <see cref="DbUpdateException"/> and writes nothing. <b>Deletes</b> likewise read the rows by any key and remove them in
/// one <c>SaveChanges</c>.</para>
/// <para>Global query filters apply to gets, not to the rows a put or delete looks for. A look-up finds only the row
/// whose key is exactly (ordinally) the value asked for, whatever the column's collation.</para>
/// <para>The store's saves are marked as its own: the Stockpile interceptor leaves their cache updates to the chain.</para>
/// </remarks>
public sealed partial class EfCoreStore<TContext> : ObjectStore, IOutboxStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contextFactory;
    private readonly EfCoreStoreOptions _options;
    private readonly ModelKeyResolver _resolver;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Type, EntityQueries<TContext>> _queries = new();
    private readonly ColumnLimits _columns;

    /// <summary>Initializes a new instance of the <see cref="EfCoreStore{TContext}"/> class, and checks the model's keys.</summary>
    /// <param name="contextFactory">Makes the short-lived contexts the store works with.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="StockpileMappingException">An entity type's declared keys do not match the model.</exception>
    /// <exception cref="StockpileKeyException">An entity type's keys are declared wrongly.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public EfCoreStore(IDbContextFactory<TContext> contextFactory, EfCoreStoreOptions? options = null, ILogger<EfCoreStore<TContext>>? logger = null)
        : base((options ??= new EfCoreStoreOptions()).Name, isPolymorphic: true)
    {
        ArgumentNullException.ThrowIfNull(contextFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParametersPerStatement, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxConflictRetries, nameof(options));
        _contextFactory = contextFactory;
        _options = options;
        _logger = logger ?? NullLogger<EfCoreStore<TContext>>.Instance;
        using var context = contextFactory.CreateDbContext();
        _resolver = ModelKeyResolver.For(context, options.UseModelKeys);
        _columns = ColumnLimits.For(context, options.UseModelKeys);
        SavesWriteOutboxRows = CommitCoordinator.WritesOutboxRows(context);
        _resolver.ValidateAll();
        _resolver.Report(_logger, resolveAll: false);
        foreach (var entityType in _resolver.Model.GetEntityTypes())
        {
            if (_resolver.Resolve(entityType) is not null)
            {
                _ = QueriesFor(entityType.ClrType);
            }
        }
    }

    /// <inheritdoc/>
    /// <value>Always <see langword="true"/>: the database is the source of truth.</value>
    public override bool IsSourceOfTruth => true;

    /// <summary>
    /// Keeps the operation's contexts out of an ambient transaction (<see cref="System.Transactions.TransactionScope"/>):
    /// <see langword="null"/> when there is none. A store operation is a chain's, and the chain writes and back-fills the
    /// cache tiers at once: enlisted, a read would cache the scope's uncommitted rows and a write would stay in every
    /// tier after the scope rolled it back (and, with the outbox, its row would pass no commit the interceptor sees). So,
    /// as beside an explicit transaction of the app's context, the store reads what is committed and commits its own
    /// writes at once, whatever the scope does.
    /// </summary>
    private static System.Transactions.TransactionScope? OutsideAmbientTransaction() =>
        System.Transactions.Transaction.Current is null
            ? null
            : new System.Transactions.TransactionScope(System.Transactions.TransactionScopeOption.Suppress, System.Transactions.TransactionScopeAsyncFlowOption.Enabled);

    /// <summary>A context for one operation. Lazy loading is off: what the store returns outlives the context, and a proxy must not load (or serialize) its navigations.</summary>
    private TContext CreateContext()
    {
        var context = _contextFactory.CreateDbContext();
        context.ChangeTracker.LazyLoadingEnabled = false;
        return context;
    }

    private EntityQueries<TContext> QueriesFor(Type clrType) =>
        _queries.TryGetValue(clrType, out var queries) ? queries : _queries.GetOrAdd(clrType, CreateQueries);

    private EntityQueries<TContext> CreateQueries(Type clrType) =>
        EntityQueries<TContext>.Create(clrType, _resolver.Resolve(_resolver.EntityTypeOf(clrType)));
}
