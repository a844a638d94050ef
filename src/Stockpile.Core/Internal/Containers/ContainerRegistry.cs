namespace Stockpile.Internal.Containers;

/// <summary>The names of the registered containers, kept as a service instance so a second registration of a name is refused at once.</summary>
internal sealed class ContainerRegistry
{
    private readonly List<string> _names = [];

    public IReadOnlyCollection<string> Names => _names;

    /// <exception cref="ArgumentException">The name is already registered.</exception>
    public void Add(string name)
    {
        if (_names.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException(ExceptionMessages.ContainerNameTaken(name), nameof(name));
        }

        _names.Add(name);
    }
}
