using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <summary>Adds Redis to the chain <c>AddStockpile</c> registers: a shared cache tier, and a backplane between app instances.</summary>
/// <remarks>
/// Both share one connection, opened in the background when first needed: an application starts, and serves from its
/// other tiers, while Redis is down. Options are <see cref="RedisStoreOptions"/> (bind them from configuration with
/// <c>services.Configure&lt;RedisStoreOptions&gt;(section)</c>); they are validated at start-up.
/// </remarks>
public static class RedisStockpileBuilderExtensions
{
    /// <summary>Adds the Redis tier below those already added, connected to the server a configuration string or URL names.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">A configuration string (<c>localhost:6379,password=…</c>) or a <c>redis://</c> URL.</param>
    /// <returns>The builder.</returns>
    /// <example><code>services.AddStockpile().AddMemoryStore().AddRedisStore("localhost:6379").AddRedisBackplane().AddEfCoreStore&lt;ShopContext&gt;();</code></example>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.AddRedisStore(o => o.Configuration = configuration);
    }

    /// <summary>Adds the Redis tier below those already added; also registered on its own as <see cref="RedisStore"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options; it must name the server.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, Action<RedisStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddRedisLink(builder.Services, configure);
        builder.Services.TryAddSingleton(static sp => new RedisStore(
            Options(sp),
            sp.GetRequiredService<RedisLink>(),
            ownsLink: false,
            sp.GetService<ILoggerFactory>()?.CreateLogger<RedisStore>(),
            sp.GetRequiredService<RedisMetrics>()));
        return builder.AddTier(static sp => sp.GetRequiredService<RedisStore>());
    }

    /// <summary>
    /// Adds the Redis backplane: what this instance's chain changes, every other instance evicts from its memory tier.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options further (the server, if <c>AddRedisStore</c> did not; <see cref="RedisStoreOptions.BackplaneChannel"/>).</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddRedisBackplane(this IStockpileBuilder builder, Action<RedisStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRedisLink(builder.Services, configure);
        builder.Services.TryAddSingleton<IStockpileBackplane>(static sp =>
        {
            var options = Options(sp);
            return new RedisBackplane(
                sp.GetRequiredService<RedisLink>(),
                options.EffectiveBackplaneChannel,
                options.MissedKeyCapacity,
                sp.GetRequiredService<ChainedStore>,
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<RedisBackplane>(),
                sp.GetRequiredService<RedisMetrics>());
        });
        return builder;
    }

    private static void AddRedisLink(IServiceCollection services, Action<RedisStoreOptions>? configure)
    {
        var options = services.AddOptions<RedisStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisStoreOptions>, RedisStoreOptionsValidator>());
        services.TryAddSingleton(static sp => sp.GetService<IMeterFactory>() is { } meters ? new RedisMetrics(meters) : RedisMetrics.Shared);
        services.TryAddSingleton(static sp =>
        {
            var options = Options(sp);
            return RedisLink.Connect(
                options.ResolveConnection(),
                options.CircuitBreaker,
                options.TimeProvider ?? TimeProvider.System,
                sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                sp.GetRequiredService<RedisMetrics>());
        });
    }

    private static RedisStoreOptions Options(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisStoreOptions>>().Value;
        options.TimeProvider ??= services.GetService<TimeProvider>();
        return options;
    }
}
