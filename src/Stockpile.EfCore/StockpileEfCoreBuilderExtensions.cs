using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stockpile;

/// <summary>Adds the EF Core store to the chain <c>AddStockpile</c> registers.</summary>
public static class StockpileEfCoreBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="EfCoreStore{TContext}"/> as the next tier (the source of truth, so add it last), also
    /// registered on its own. It takes its contexts from the <see cref="IDbContextFactory{TContext}"/> registered with
    /// <c>AddDbContextFactory</c>.
    /// </summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store.</param>
    /// <param name="configureInterceptor">Configures the interceptor that contexts registered with <c>AddStockpileInterceptor(serviceProvider)</c> use.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Keeping the caches in sync with what contexts save is one more call, in the context's options:
    /// <code>
    /// services.AddDbContextFactory&lt;ShopContext&gt;((sp, o) =&gt; o.UseNpgsql(connectionString).AddStockpileInterceptor(sp));
    /// services.AddStockpile().AddMemoryStore().AddEfCoreStore&lt;ShopContext&gt;(configureInterceptor: o =&gt; o.SetPolicy&lt;Product&gt;(StockpileCommitPolicy.WriteThrough));
    /// </code>
    /// With <see cref="EfCoreStoreOptions.UseModelKeys"/> set, the interceptor reads model keys too.
    /// </remarks>
    public static IStockpileBuilder AddEfCoreStore<TContext>(this IStockpileBuilder builder, Action<EfCoreStoreOptions>? configure = null, Action<StockpileInterceptorOptions>? configureInterceptor = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var storeOptions = services.AddOptions<EfCoreStoreOptions>();
        if (configure is not null)
        {
            storeOptions.Configure(configure);
        }

        var interceptorOptions = services.AddOptions<StockpileInterceptorOptions>()
            .Configure<IOptions<EfCoreStoreOptions>>(static (o, store) => o.UseModelKeys |= store.Value.UseModelKeys);
        if (configureInterceptor is not null)
        {
            interceptorOptions.Configure(configureInterceptor);
        }

        services.TryAddSingleton(static sp => new EfCoreStore<TContext>(
            sp.GetRequiredService<IDbContextFactory<TContext>>(),
            sp.GetRequiredService<IOptions<EfCoreStoreOptions>>().Value,
            sp.GetService<ILogger<EfCoreStore<TContext>>>()));
        return builder.AddTier(static sp => sp.GetRequiredService<EfCoreStore<TContext>>());
    }
}
