using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Internal;

/// <summary>
/// The names given to one kind of named, keyed service (caches, containers), kept as a service instance so a second
/// registration of a name is refused at once, and an unknown name is a clear error listing the registered ones.
/// </summary>
/// <typeparam name="TService">The keyed service the names resolve to.</typeparam>
internal sealed class NameRegistry<TService>(Func<string, string> nameTaken, Func<string, IReadOnlyCollection<string>, string> nameUnknown)
    where TService : notnull
{
    private readonly List<string> _names = [];

    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Finds the registry among the services, adding it (and what <paramref name="onFirst"/> registers) the first time.</summary>
    public static NameRegistry<TService> In(IServiceCollection services, Func<NameRegistry<TService>> create, Action<IServiceCollection> onFirst)
    {
        if (services.Select(static d => d.ImplementationInstance).OfType<NameRegistry<TService>>().FirstOrDefault() is { } registry)
        {
            return registry;
        }

        registry = create();
        services.AddSingleton(registry);
        onFirst(services);
        return registry;
    }

    /// <exception cref="ArgumentException">The name is already registered.</exception>
    public void Add(string name)
    {
        if (_names.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException(nameTaken(name), nameof(name));
        }

        _names.Add(name);
    }

    /// <exception cref="InvalidOperationException">No service has that name.</exception>
    public TService Resolve(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _names.Contains(name, StringComparer.Ordinal)
            ? services.GetRequiredKeyedService<TService>(name)
            : throw new InvalidOperationException(nameUnknown(name, _names));
    }
}
