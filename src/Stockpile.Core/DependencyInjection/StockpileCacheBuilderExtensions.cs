using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Internal.Lifetimes;

namespace Stockpile;

/// <summary>Adds the cache beside the entities (<see cref="IStockpileCache"/>, and <see cref="HybridCache"/> over it).</summary>
public static class StockpileCacheBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="StockpileCache"/> as <see cref="IStockpileCache"/>, and as <see cref="HybridCache"/> unless
    /// another HybridCache is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the cache.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddCache(this IStockpileBuilder builder, Action<StockpileCacheOptions>? configure = null) =>
        builder.AddCache(configure, static (_, options) => new StockpileCache(options));

    /// <summary>Registers the default cache, made by <paramref name="create"/> from its options (a Redis package puts it on Redis).</summary>
    internal static IStockpileBuilder AddCache(this IStockpileBuilder builder, Action<StockpileCacheOptions>? configure, Func<IServiceProvider, StockpileCacheOptions, StockpileCache> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp =>
        {
            var options = new StockpileCacheOptions { TimeProvider = sp.GetService<TimeProvider>() };
            configure?.Invoke(options);
            return WithEntities(sp, create(sp, options));
        });
        builder.Services.TryAddSingleton<IStockpileCache>(static sp => sp.GetRequiredService<StockpileCache>());
        builder.Services.TryAddSingleton<HybridCache>(static sp => new StockpileHybridCache(sp.GetRequiredService<StockpileCache>(), LoggerOf(sp)));
        return builder;
    }

    /// <summary>
    /// Registers a named cache: <see cref="StockpileCache"/>, <see cref="IStockpileCache"/> and <see cref="HybridCache"/> as
    /// keyed services under <paramref name="name"/> (<c>[FromKeyedServices("name")]</c>), also found through
    /// <see cref="IStockpileCacheProvider"/>. Its <see cref="StockpileCacheOptions.KeyPrefix"/> defaults to the name.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The cache's name, unique among named caches.</param>
    /// <param name="configure">Configures the cache.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A cache with that name is already registered.</exception>
    public static IStockpileBuilder AddCache(this IStockpileBuilder builder, string name, Action<StockpileCacheOptions>? configure = null) =>
        builder.AddCache(name, configure, static (_, options) => new StockpileCache(options));

    /// <summary>Registers a named cache, made by <paramref name="create"/> from its options (a Redis package puts it on Redis).</summary>
    internal static IStockpileBuilder AddCache(this IStockpileBuilder builder, string name, Action<StockpileCacheOptions>? configure, Func<IServiceProvider, StockpileCacheOptions, StockpileCache> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        NameRegistry<IStockpileCache>.In(
            builder.Services,
            static () => new(ExceptionMessages.CacheNameTaken, ExceptionMessages.CacheUnknown),
            static s => s.TryAddSingleton<IStockpileCacheProvider, StockpileCacheProvider>()).Add(name);
        builder.Services.AddKeyedSingleton(name, (sp, _) =>
        {
            var options = new StockpileCacheOptions { KeyPrefix = name, TimeProvider = sp.GetService<TimeProvider>() };
            configure?.Invoke(options);
            return WithEntities(sp, create(sp, options));
        });
        builder.Services.AddKeyedSingleton<IStockpileCache>(name, static (sp, key) => sp.GetRequiredKeyedService<StockpileCache>(key));
        builder.Services.AddKeyedSingleton<HybridCache>(name, static (sp, key) => new StockpileHybridCache(sp.GetRequiredKeyedService<StockpileCache>(key), LoggerOf(sp)));
        return builder;
    }

    /// <summary>
    /// Registers one named cache per child of a configuration section (by convention <c>Stockpile:Caches</c>): the child's
    /// key is the name, its values bind to <see cref="StockpileCacheOptions"/> (<c>KeyPrefix</c>, <c>DefaultExpiration</c>,
    /// <c>MaximumKeyLength</c>). <c>DefaultExpiration</c> may be written as a lifetime (<c>"5 min"</c>, <c>"2 hours"</c>,
    /// <c>"0"</c> for never; see <see cref="ObjectLifetime.Parse(string)"/>) or, as before, as a <see cref="TimeSpan"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="caches">The section whose children are the caches.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A name is registered twice.</exception>
    /// <exception cref="FormatException">(When the cache is first resolved.) A <c>DefaultExpiration</c> is neither a lifetime nor a <see cref="TimeSpan"/>; the message names the cache and the text.</exception>
    public static IStockpileBuilder AddCaches(this IStockpileBuilder builder, IConfiguration caches)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(caches);
        foreach (var cache in caches.GetChildren())
        {
            builder.AddCache(cache.Key, options => BindCache(cache, options));
        }

        return builder;
    }

    /// <summary>Lets the cache's removal by tag reach the entities of the container's chain, when it has tiers (resolved on first use: the chain may be built later).</summary>
    private static StockpileCache WithEntities(IServiceProvider services, StockpileCache cache)
    {
        if (services.GetServices<StockpileTierRegistration>().Any())
        {
            cache.Entities = () => services.GetService<ChainedStore>();
        }

        return cache;
    }

    /// <summary>
    /// Binds a cache's section. A <c>DefaultExpiration</c> written as a lifetime (<c>"5 min"</c>, <c>"0"</c>) is read by
    /// the one lifetime parser; text only <see cref="TimeSpan"/> reads (<c>"5"</c>, five days) keeps its old meaning.
    /// </summary>
    private static void BindCache(IConfigurationSection cache, StockpileCacheOptions options)
    {
        var text = cache[nameof(StockpileCacheOptions.DefaultExpiration)];
        if (text is null || (!LifetimeText.TryParse(text, out var lifetime, out var reason) && TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            cache.Bind(options);
            return;
        }

        if (!string.IsNullOrEmpty(reason))
        {
            throw new FormatException(ExceptionMessages.CacheLifetime(cache.Key, text, reason));
        }

        // The binder cannot read "5 min" as a TimeSpan: bind the other values from a copy without it.
        var others = new ConfigurationBuilder()
            .AddInMemoryCollection(cache.AsEnumerable(makePathsRelative: true).Where(static p => !p.Key.Equals(nameof(StockpileCacheOptions.DefaultExpiration), StringComparison.OrdinalIgnoreCase)))
            .Build();
        others.Bind(options);
        options.DefaultExpiration = LifetimeText.ToExpiration(lifetime);
    }

    private static ILogger<StockpileHybridCache> LoggerOf(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger<StockpileHybridCache>() ?? NullLogger<StockpileHybridCache>.Instance;
}
