using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stockpile.Internal;
using Stockpile.Internal.Containers;
using Stockpile.Internal.Lifetimes;

namespace Stockpile;

/// <summary>Adds value-generator containers (<see cref="IStockpileContainer"/>).</summary>
public static class StockpileContainerBuilderExtensions
{
    /// <summary>
    /// Registers a container whose missing values are made by <paramref name="generator"/>, as the keyed service
    /// <see cref="IStockpileContainer"/> under <paramref name="name"/>, also found through <see cref="IStockpileContainerProvider"/>.
    /// </summary>
    /// <typeparam name="T">The type of the values the generator makes.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The container's name, unique among containers.</param>
    /// <param name="generator">Makes the value of a missing key, given the application's services and the key.</param>
    /// <param name="configure">Sets the lifetime and cache, e.g. <c>o =&gt; configuration.GetSection("Stockpile:Containers:rates").Bind(o)</c>; run at once, so a bad lifetime fails here.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A container with that name is already registered.</exception>
    /// <exception cref="FormatException">The lifetime text is not a lifetime; the message names the container and the text.</exception>
    public static IStockpileBuilder AddContainer<T>(this IStockpileBuilder builder, string name, Func<IServiceProvider, string, CancellationToken, ValueTask<T>> generator, Action<StockpileContainerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return builder.Add(name, configure, new ContainerGenerator(typeof(T), async (services, key, ct) => await generator(services, key, ct).ConfigureAwait(false)));
    }

    /// <summary>Registers a container without a generator: values are stored with <see cref="IStockpileContainer.SetAsync{T}"/>, and reading a missing key throws <see cref="StockpileContainerKeyNotFoundException"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The container's name, unique among containers.</param>
    /// <param name="configure">Sets the lifetime and cache; run at once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A container with that name is already registered.</exception>
    /// <exception cref="FormatException">The lifetime text is not a lifetime; the message names the container and the text.</exception>
    public static IStockpileBuilder AddContainer(this IStockpileBuilder builder, string name, Action<StockpileContainerOptions>? configure = null) =>
        builder.Add(name, configure, null);

    /// <summary>
    /// Registers one container without a generator per child of a configuration section (by convention
    /// <c>Stockpile:Containers</c>): the child's key is the name, its values bind to <see cref="StockpileContainerOptions"/>
    /// (<c>Lifetime</c> as text, <c>Cache</c>). A container that needs a generator is registered with
    /// <see cref="AddContainer{T}"/>, binding its own child.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="containers">The section whose children are the containers.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A name is registered twice.</exception>
    /// <exception cref="FormatException">A lifetime text is not a lifetime; the message names the container and the text.</exception>
    public static IStockpileBuilder AddContainers(this IStockpileBuilder builder, IConfiguration containers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(containers);
        foreach (var container in containers.GetChildren())
        {
            builder.AddContainer(container.Key, container.Bind);
        }

        return builder;
    }

    private static IStockpileBuilder Add(this IStockpileBuilder builder, string name, Action<StockpileContainerOptions>? configure, ContainerGenerator? generator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new StockpileContainerOptions();
        configure?.Invoke(options);
        var lifetime = LifetimeOf(name, options.Lifetime);
        NameRegistry<IStockpileContainer>.In(
            builder.Services,
            static () => new(ExceptionMessages.ContainerNameTaken, ExceptionMessages.ContainerUnknown),
            static s => s.TryAddSingleton<IStockpileContainerProvider, StockpileContainerProvider>()).Add(name);
        var cacheName = options.Cache;
        builder.Services.AddKeyedSingleton<IStockpileContainer>(name, (sp, _) =>
        {
            var cache = string.IsNullOrEmpty(cacheName)
                ? new StockpileCache(new StockpileCacheOptions { KeyPrefix = "container:" + name, TimeProvider = sp.GetService<TimeProvider>() })
                : (sp.GetService<IStockpileCacheProvider>() ?? throw new InvalidOperationException($"Stockpile container '{name}' uses the cache '{cacheName}', but no named cache is registered; add it with AddCache(\"{cacheName}\").")).GetCache(cacheName);
            return new StockpileContainer(name, lifetime, cache, generator, sp);
        });
        return builder;
    }

    private static ObjectLifetime LifetimeOf(string container, string? text)
    {
        if (text is null)
        {
            return ObjectLifetime.Default;
        }

        return LifetimeText.TryParse(text, out var lifetime, out var reason)
            ? lifetime
            : throw new FormatException(ExceptionMessages.ContainerLifetime(container, text, reason));
    }
}
