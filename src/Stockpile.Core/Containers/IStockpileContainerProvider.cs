namespace Stockpile;

/// <summary>Finds the containers registered with <c>AddContainer</c> or <c>AddContainers</c>.</summary>
public interface IStockpileContainerProvider
{
    /// <summary>Gets the names of the registered containers.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Gets a container.</summary>
    /// <param name="name">The name it was registered under.</param>
    /// <returns>The container.</returns>
    /// <exception cref="InvalidOperationException">No container has that name; the message lists the names there are.</exception>
    IStockpileContainer GetContainer(string name);
}
