using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>Turns on Stockpile's invalidation outbox for a context type.</summary>
public static class StockpileOutboxBuilderExtensions
{
    /// <summary>
    /// Makes every commit of <typeparamref name="TContext"/> that changes cached state write, in its own transaction, an
    /// outbox row naming what to evict; the row is deleted once every cache tier took the evictions. Rows left behind
    /// (the process died between the commit and the eviction, or Redis was unreachable longer than the skipped-write
    /// memory holds) are drained by a hosted service at start-up and every <see cref="StockpileOutboxOptions.DrainInterval"/>,
    /// on any instance. Every committed change is thus evicted at least once.
    /// </summary>
    /// <typeparam name="TContext">The context type; its model must have the table (<see cref="StockpileOutboxModelBuilderExtensions.AddStockpileOutbox"/>).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the outbox.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The context must be registered with <c>AddDbContextFactory</c> and have the interceptor added with
    /// <c>AddStockpileInterceptor(serviceProvider)</c>. Host start-up fails when its model has no outbox table. A save
    /// outside a transaction runs in one (EF Core otherwise runs a single statement without one) unless the context's
    /// <c>AutoTransactionBehavior</c> is <c>Never</c>; so does an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c>. In a
    /// <see cref="System.Transactions.TransactionScope"/> each save writes its row on the enlisted connection. A chain's
    /// own put or delete through the context's <see cref="EfCoreStore{TContext}"/> writes its row in the store's save.
    /// Without dependency injection: <see cref="StockpileInterceptorOptions.UseOutbox"/> and
    /// <see cref="StockpileOutboxDrainer{TContext}"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IStockpileBuilder AddOutbox<TContext>(this IStockpileBuilder builder, Action<StockpileOutboxOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var name = typeof(TContext).FullName!;
        var options = services.AddOptions<StockpileOutboxOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o => o.Validate() is null, $"The Stockpile outbox options of '{typeof(TContext).Name}' are not valid: a time span or a size is zero or negative, or an unhealthy threshold is below its degraded one.").ValidateOnStart();
        services.TryAddSingleton<OutboxRegistry>();
        services.AddSingleton(new OutboxRegistration(typeof(TContext)));
        services.TryAddSingleton(static sp => new OutboxDrainer<TContext>(
            sp.GetRequiredService<IDbContextFactory<TContext>>(),
            CommitCoordinator.FromServices(sp),
            OptionsOf<TContext>(sp),
            sp.GetService<StockpileMetrics>() ?? StockpileMetrics.Shared,
            LoggerOf(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StockpileOutboxService<TContext>>(static sp =>
            new StockpileOutboxService<TContext>(sp.GetRequiredService<OutboxDrainer<TContext>>(), OptionsOf<TContext>(sp), LoggerOf(sp))));
        services.AddSingleton(new StockpileHealthContribution($"outbox-{typeof(TContext).Name}", static sp =>
            new OutboxHealthCheck<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>(), OptionsOf<TContext>(sp))));
        return builder;
    }

    private static StockpileOutboxOptions OptionsOf<TContext>(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<StockpileOutboxOptions>>().Get(typeof(TContext).FullName);

    private static ILogger LoggerOf(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("Stockpile.EfCore") ?? NullLogger.Instance;
}
