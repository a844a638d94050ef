namespace Stockpile.Internal.Containers;

/// <summary>A container's generator: the type it makes and how, given the container's services.</summary>
internal sealed record ContainerGenerator(Type ValueType, Func<IServiceProvider, string, CancellationToken, ValueTask<object?>> Make);
