using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <summary>Adds Redis to the chain <c>AddStockpile</c> registers: a shared cache tier, and a backplane between app instances.</summary>
/// <remarks>
/// Both share one StackExchange.Redis multiplexer: the <see cref="IConnectionMultiplexer"/> registered in the container
/// (never disposed by Stockpile), or one made from the options (owned: disposed with the container). A multiplexer
/// Stockpile makes connects in the background (<c>abortConnect=false</c>): an application starts, and serves from its
/// other tiers, while Redis is down. Options are <see cref="RedisStoreOptions"/>, from code or bound from a
/// configuration section (<c>configuration.GetSection("Stockpile:Redis")</c>); they are validated at start-up.
/// </remarks>
public static class RedisStockpileBuilderExtensions
{
    /// <summary>Adds the Redis tier below those already added, over the <see cref="IConnectionMultiplexer"/> registered in the container.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <example><code>services.AddSingleton&lt;IConnectionMultiplexer&gt;(ConnectionMultiplexer.Connect("localhost:6379"));
    /// services.AddStockpile().AddMemoryStore().AddRedisStore().AddRedisBackplane().AddEfCoreStore&lt;ShopContext&gt;();</code></example>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder) => builder.AddRedisStore(static _ => { });

    /// <summary>Adds the Redis tier below those already added, connected to the server a configuration string or URL names.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string (<c>localhost:6379,password=…</c>) or a <c>redis://</c>/<c>rediss://</c> URL.</param>
    /// <returns>The builder.</returns>
    /// <example><code>services.AddStockpile().AddMemoryStore().AddRedisStore("localhost:6379").AddRedisBackplane().AddEfCoreStore&lt;ShopContext&gt;();</code></example>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.AddRedisStore(o => o.Configuration = configuration);
    }

    /// <summary>Adds the Redis tier below those already added, connected with StackExchange.Redis configuration options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The configuration options (the store connects with a copy).</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, ConfigurationOptions configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddRedisStore(o => o.ConfigurationOptions = configuration);
    }

    /// <summary>Adds the Redis tier below those already added, over the multiplexer a factory makes (the store owns it).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionMultiplexerFactory">Makes the multiplexer, once, when Redis is first needed.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, Func<Task<IConnectionMultiplexer>> connectionMultiplexerFactory)
    {
        ArgumentNullException.ThrowIfNull(connectionMultiplexerFactory);
        return builder.AddRedisStore(o => o.ConnectionMultiplexerFactory = connectionMultiplexerFactory);
    }

    /// <summary>Adds the Redis tier below those already added, with options bound from a configuration section.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section holding <see cref="RedisStoreOptions"/>, e.g. <c>configuration.GetSection("Stockpile:Redis")</c>.</param>
    /// <param name="configure">Configures the options further; applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddRedisStore(this IStockpileBuilder builder, IConfiguration configuration, Action<RedisStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<RedisStoreOptions>().Bind(configuration);
        return builder.AddRedisStore(configure ?? (static _ => { }));
    }

    /// <summary>Adds the Redis tier below those already added; also registered on its own as <see cref="RedisStore"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options; without a server in them, the container's <see cref="IConnectionMultiplexer"/> is used.</param>
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

    internal static void AddRedisLink(IServiceCollection services, Action<RedisStoreOptions>? configure)
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
            RedisConnectionFactory connection;
            if (options.NamesServer)
            {
                connection = RedisConnectionFactory.FromOptions(options);
            }
            else
            {
                connection = RedisConnectionFactory.Given(sp.GetService<IConnectionMultiplexer>() ?? throw new InvalidOperationException(Redis.ExceptionMessages.NoMultiplexerInContainer));
            }

            return RedisLink.Connect(
                connection,
                options.CircuitBreaker,
                options.TimeProvider ?? TimeProvider.System,
                sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                sp.GetRequiredService<RedisMetrics>());
        });
    }

    internal static RedisStoreOptions Options(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisStoreOptions>>().Value;
        options.TimeProvider ??= services.GetService<TimeProvider>();
        return options;
    }
}
