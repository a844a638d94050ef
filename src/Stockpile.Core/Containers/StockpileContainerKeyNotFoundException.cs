namespace Stockpile;

/// <summary>A container without a generator was read at a key that holds no value.</summary>
public sealed class StockpileContainerKeyNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="StockpileContainerKeyNotFoundException"/> class.</summary>
    /// <param name="containerName">The container's name.</param>
    /// <param name="key">The key read.</param>
    public StockpileContainerKeyNotFoundException(string containerName, string key)
        : base(Internal.ExceptionMessages.ContainerKeyNotFound(containerName, key))
    {
        ContainerName = containerName;
        Key = key;
    }

    /// <summary>Initializes a new instance of the <see cref="StockpileContainerKeyNotFoundException"/> class.</summary>
    public StockpileContainerKeyNotFoundException()
        : this("(unknown)", "(unknown)")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StockpileContainerKeyNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public StockpileContainerKeyNotFoundException(string message)
        : base(message)
    {
        ContainerName = "(unknown)";
        Key = "(unknown)";
    }

    /// <summary>Initializes a new instance of the <see cref="StockpileContainerKeyNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StockpileContainerKeyNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        ContainerName = "(unknown)";
        Key = "(unknown)";
    }

    /// <summary>Gets the container's name.</summary>
    public string ContainerName { get; }

    /// <summary>Gets the key read.</summary>
    public string Key { get; }
}
