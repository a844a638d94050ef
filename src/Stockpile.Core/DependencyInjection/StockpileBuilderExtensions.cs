using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Stockpile;

/// <summary>Adds tiers to the chain <c>AddStockpile</c> registers.</summary>
public static class StockpileBuilderExtensions
{
    /// <summary>Adds a tier below those already added.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the tier's store; called once, when the chain is first resolved.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddTier(this IStockpileBuilder builder, Func<IServiceProvider, ObjectStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(new StockpileTierRegistration(factory));
        return builder;
    }

    /// <summary>Adds the in-process <see cref="MemoryStore"/> as a tier, also registered on its own as <see cref="MemoryStore"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="StockpileOptions.Memory"/> further.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddMemoryStore(this IStockpileBuilder builder, Action<MemoryStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure<StockpileOptions>(o => configure(o.Memory));
        }

        builder.Services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<StockpileOptions>>().Value.Memory;
            options.TimeProvider ??= sp.GetService<TimeProvider>();
            return new MemoryStore(options);
        });
        return builder.AddTier(static sp => sp.GetRequiredService<MemoryStore>());
    }
}
