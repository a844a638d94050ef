namespace Stockpile.Tests.Fakes;

/// <summary>
/// Wraps a store and fails the operations it is told to, the way FusionCache's <c>ChaosDistributedCache</c> does: a
/// broken cache or database on demand.
/// </summary>
public sealed class ChaosStore : DelegatingStore
{
    public ChaosStore(ObjectStore inner, string? name = null)
        : base(inner, name)
    {
    }

    /// <summary>Gets or sets the operations that throw <see cref="ChaosException"/>.</summary>
    public StoreOperation Failing { get; set; }

    /// <summary>Gets or sets a value indicating whether a failing single get throws before returning its task, as a store that checks its connection first would.</summary>
    public bool ThrowSynchronously { get; set; }

    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        ThrowSynchronously && Fails(StoreOperation.Get) ? throw Failure(StoreOperation.Get) : base.GetCoreAsync(key, cancellationToken);

    protected override ValueTask BeforeAsync(StoreOperation operation, IReadOnlyList<object> arguments, CancellationToken cancellationToken) =>
        Fails(operation) ? ValueTask.FromException(Failure(operation)) : default;

    private bool Fails(StoreOperation operation) => (Failing & operation) != 0;

    private ChaosException Failure(StoreOperation operation) => new($"chaos: '{Name}' fails {operation}");
}
