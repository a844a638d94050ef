namespace Stockpile.Internal.Caching;

/// <summary>The names given to <c>AddCache(name, …)</c>, kept as a service instance so a second registration of a name is refused at once.</summary>
internal sealed class NamedCacheRegistry
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _names;

    /// <exception cref="ArgumentException">The name is already registered.</exception>
    public void Add(string name)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"A Stockpile cache named '{name}' is already registered; give each AddCache call its own name.", nameof(name));
        }
    }
}
