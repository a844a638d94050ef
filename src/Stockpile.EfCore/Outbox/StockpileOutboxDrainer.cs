using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// Drains the invalidation outbox of <typeparamref name="TContext"/> in a set-up built by hand (without dependency
/// injection): what the hosted service of <c>AddOutbox&lt;TContext&gt;()</c> does, started and stopped by the app.
/// </summary>
/// <typeparam name="TContext">The context type; its model must have the table (<see cref="StockpileOutboxModelBuilderExtensions.AddStockpileOutbox"/>).</typeparam>
/// <remarks>
/// <para>Turn the rows on with <see cref="StockpileInterceptorOptions.UseOutbox"/> on the interceptor
/// (<c>AddStockpileInterceptor(chain, o =&gt; o.UseOutbox = true)</c>), then start one drainer per process:
/// <see cref="StartAsync"/> drains every row left behind (the process died between a commit and its eviction, or Redis
/// was away) and then, every <see cref="StockpileOutboxOptions.DrainInterval"/>, the rows older than
/// <see cref="StockpileOutboxOptions.MinimumAge"/>, until <see cref="StopAsync"/> or <see cref="DisposeAsync"/>. Any
/// number of instances may drain one table: each row is claimed by a lease.</para>
/// <para>Pass the interceptor's options too when they set a <see cref="StockpileInterceptorOptions.QueryCache"/>, so a
/// drained row also drops the cached queries of the tables it names.</para>
/// </remarks>
public sealed class StockpileOutboxDrainer<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    private readonly OutboxDrainer<TContext> _drainer;
    private readonly StockpileOutboxService<TContext> _service;

    /// <summary>Initializes a new instance of the <see cref="StockpileOutboxDrainer{TContext}"/> class.</summary>
    /// <param name="contextFactory">Makes the contexts the drainer reads and deletes rows with.</param>
    /// <param name="chain">The chain the rows' evictions go through (the one the interceptor keeps in sync).</param>
    /// <param name="options">The outbox options; <see langword="null"/> for the defaults.</param>
    /// <param name="interceptorOptions">The interceptor's options (their query cache); <see langword="null"/> for none.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="contextFactory"/> or <paramref name="chain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message says which.</exception>
    /// <exception cref="InvalidOperationException">An <see cref="EfCoreStore{TContext}"/> of <paramref name="chain"/> makes its contexts without an interceptor that writes outbox rows, so the chain's own writes would get none; the message names the context type.</exception>
    public StockpileOutboxDrainer(IDbContextFactory<TContext> contextFactory, ChainedStore chain, StockpileOutboxOptions? options = null, StockpileInterceptorOptions? interceptorOptions = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(contextFactory);
        ArgumentNullException.ThrowIfNull(chain);
        options ??= new StockpileOutboxOptions();
        if (options.Validate() is { } invalid)
        {
            throw new ArgumentException($"The Stockpile outbox options of '{typeof(TContext).Name}' are not valid: {invalid}", nameof(options));
        }

        OutboxSetUp.CheckStores(chain, typeof(TContext));
        var logger = loggerFactory?.CreateLogger("Stockpile.EfCore") ?? NullLogger.Instance;
        var coordinator = new CommitCoordinator(() => chain, interceptorOptions ?? new StockpileInterceptorOptions(), logger, null);
        _drainer = new OutboxDrainer<TContext>(contextFactory, coordinator, options, StockpileMetrics.Shared, logger);
        _service = new StockpileOutboxService<TContext>(_drainer, options, logger);
    }

    /// <summary>Gets the rows pending at the end of the last pass.</summary>
    public long Depth => _drainer.Depth;

    /// <summary>Checks the model, drains every row, then drains periodically until stopped.</summary>
    /// <param name="cancellationToken">Cancels the start (not the periodic passes).</param>
    /// <returns>A task that completes once the first pass is done.</returns>
    /// <exception cref="InvalidOperationException">The context's model has no outbox table; the message names the context type.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _service.StartAsync(cancellationToken);

    /// <summary>Stops the periodic passes.</summary>
    /// <param name="cancellationToken">Stops waiting for a pass under way.</param>
    /// <returns>A task that completes once the passes stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => _service.StopAsync(cancellationToken);

    /// <summary>Runs one pass now over every row, whatever its age.</summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>The number of rows applied and deleted.</returns>
    public Task<int> DrainAsync(CancellationToken cancellationToken = default) => _drainer.DrainAsync(everything: true, cancellationToken);

    /// <summary>Stops the periodic passes.</summary>
    /// <returns>A task that completes once they stopped.</returns>
    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
