using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>Registers the Stockpile interceptor on a context's options.</summary>
public static class StockpileDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Keeps a chain's cache tiers in sync with what this context commits: after each commit, the entities it added,
    /// modified or deleted are evicted from (or written through to) every cache tier, under their old and new keys.
    /// </summary>
    /// <typeparam name="TBuilder">The options builder type.</typeparam>
    /// <param name="builder">The context's options builder.</param>
    /// <param name="chain">The chain whose cache tiers to keep in sync.</param>
    /// <param name="configure">Sets the policies; <see langword="null"/> evicts every type.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> for none.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="InvalidOperationException">
    /// <see cref="StockpileInterceptorOptions.UseOutbox"/> is on, and an <see cref="EfCoreStore{TContext}"/> of
    /// <paramref name="chain"/> makes its contexts without the interceptor (its writes would get no outbox row): use the
    /// overload taking a <see cref="Func{TResult}"/> of the chain, and give the store contexts made from these options.
    /// </exception>
    /// <remarks>
    /// <para>Caches are touched only once the data is committed: after <c>SaveChanges</c> when it ran its own
    /// transaction, at the commit of an explicit transaction or of a <see cref="System.Transactions.TransactionScope"/>.
    /// Nothing is applied after a failed save or a rollback. A cache failure after the commit is logged and counted, not
    /// thrown: the data is committed.</para>
    /// <para><c>ExecuteUpdate</c>/<c>ExecuteDelete</c> statements drop the cached types of the tables they name once they
    /// commit. Writes that bypass EF Core (raw SQL, bulk copies) are not seen; invalidate
    /// them with <see cref="StockpileInvalidationExtensions"/>. A transaction committed through its
    /// <see cref="System.Data.Common.DbTransaction"/> rather than EF Core's <c>IDbContextTransaction</c> is not seen either.</para>
    /// </remarks>
    public static TBuilder AddStockpileInterceptor<TBuilder>(this TBuilder builder, ChainedStore chain, Action<StockpileInterceptorOptions>? configure = null, ILoggerFactory? loggerFactory = null)
        where TBuilder : DbContextOptionsBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chain);
        var options = new StockpileInterceptorOptions();
        configure?.Invoke(options);
        if (options.UseOutbox)
        {
            OutboxSetUp.CheckStores(chain, contextType: null);
        }

        return Add(builder, new CommitCoordinator(() => chain, options, loggerFactory?.CreateLogger("Stockpile.EfCore"), null));
    }

    /// <summary>
    /// Keeps the chain <paramref name="chain"/> returns in sync with what this context commits, as
    /// <see cref="AddStockpileInterceptor{TBuilder}(TBuilder, ChainedStore, Action{StockpileInterceptorOptions}?, ILoggerFactory?)"/>
    /// does; the chain is asked for at the first save, so it may be made after these options, and hold an
    /// <see cref="EfCoreStore{TContext}"/> over contexts made from them.
    /// </summary>
    /// <typeparam name="TBuilder">The options builder type.</typeparam>
    /// <param name="builder">The context's options builder.</param>
    /// <param name="chain">Returns the chain whose cache tiers to keep in sync (called once, at the first save).</param>
    /// <param name="configure">Sets the policies; <see langword="null"/> evicts every type.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> for none.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// <para>A set-up built by hand with the invalidation outbox (<see cref="StockpileInterceptorOptions.UseOutbox"/>)
    /// needs it: a chain's own writes through its EF Core store get their outbox rows only when the store's contexts
    /// carry the interceptor.</para>
    /// <code>
    /// ChainedStore? chain = null;
    /// var options = new DbContextOptionsBuilder&lt;ShopContext&gt;().UseNpgsql(connectionString)
    ///     .AddStockpileInterceptor(() =&gt; chain!, o =&gt; o.UseOutbox = true).Options;
    /// var contexts = new PooledDbContextFactory&lt;ShopContext&gt;(options);
    /// chain = new ChainedStore([new MemoryStore(), redisStore, new EfCoreStore&lt;ShopContext&gt;(contexts)]);
    /// </code>
    /// </remarks>
    public static TBuilder AddStockpileInterceptor<TBuilder>(this TBuilder builder, Func<ChainedStore> chain, Action<StockpileInterceptorOptions>? configure = null, ILoggerFactory? loggerFactory = null)
        where TBuilder : DbContextOptionsBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chain);
        var options = new StockpileInterceptorOptions();
        configure?.Invoke(options);
        return Add(builder, new CommitCoordinator(chain, options, loggerFactory?.CreateLogger("Stockpile.EfCore"), null));
    }

    /// <summary>
    /// Keeps the <see cref="ChainedStore"/> registered in <paramref name="services"/> in sync with what this context
    /// commits, with the <see cref="StockpileInterceptorOptions"/> configured there.
    /// </summary>
    /// <typeparam name="TBuilder">The options builder type.</typeparam>
    /// <param name="builder">The context's options builder.</param>
    /// <param name="services">The service provider (as passed to <c>AddDbContextFactory</c>'s options action).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>The chain is resolved at the first save, so the chain may itself hold a store over this context.</remarks>
    public static TBuilder AddStockpileInterceptor<TBuilder>(this TBuilder builder, IServiceProvider services)
        where TBuilder : DbContextOptionsBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return Add(builder, CommitCoordinator.FromServices(services));
    }

    private static TBuilder Add<TBuilder>(TBuilder builder, CommitCoordinator coordinator)
        where TBuilder : DbContextOptionsBuilder
    {
        // One command interceptor for bulk statements and cached queries' tables: EF Core raises each command's events to each one.
        builder.AddInterceptors(new StockpileSaveChangesInterceptor(coordinator), new StockpileTransactionInterceptor(coordinator), new StockpileCommandInterceptor(coordinator), StockpileQueryExpressionInterceptor.Instance);

        // Cached() queries: EF Core's provider, which also answers them from the cache.
        builder.ReplaceService<Microsoft.EntityFrameworkCore.Query.IAsyncQueryProvider, StockpileEntityQueryProvider>();
        return builder;
    }
}
