namespace Stockpile.Tests.Fakes;

/// <summary>
/// Wraps a store and holds the next get (after it read) or the next delete (before it runs) on a <see cref="Gate"/>, so a
/// race between a reader and a writer can be laid out step by step.
/// </summary>
public sealed class GatedStore : DelegatingStore
{
    private Gate? _afterGet;
    private Gate? _beforeGet;
    private Gate? _beforeDelete;
    private Gate? _beforePut;

    public GatedStore(ObjectStore inner, string? name = null)
        : base(inner, name)
    {
    }

    /// <summary>The next get (single or batch) reads the inner store, then waits at the returned gate before answering.</summary>
    public Gate HoldNextGetAfterRead() => _afterGet = new Gate();

    /// <summary>The next get (single or batch) waits at the returned gate before it reaches the inner store.</summary>
    public Gate HoldNextGetBeforeRead() => _beforeGet = new Gate();

    /// <summary>The next delete waits at the returned gate before it reaches the inner store.</summary>
    public Gate HoldNextDeleteBeforeRunning() => _beforeDelete = new Gate();

    /// <summary>The next put (single or batch) waits at the returned gate before it reaches the inner store.</summary>
    public Gate HoldNextPutBeforeRunning() => _beforePut = new Gate();

    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var value = await base.GetCoreAsync(key, cancellationToken);
        if (Interlocked.Exchange(ref _afterGet, null) is { } gate)
        {
            await gate.PassAsync();
        }

        return value;
    }

    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var values = await base.GetManyCoreAsync(keys, cancellationToken);
        if (Interlocked.Exchange(ref _afterGet, null) is { } gate)
        {
            await gate.PassAsync();
        }

        return values;
    }

    protected override async ValueTask BeforeAsync(StoreOperation operation, IReadOnlyList<object> arguments, CancellationToken cancellationToken)
    {
        if ((operation & StoreOperation.Reads) != 0 && Interlocked.Exchange(ref _beforeGet, null) is { } getGate)
        {
            await getGate.PassAsync();
        }

        if ((operation & StoreOperation.Deletes) != 0 && Interlocked.Exchange(ref _beforeDelete, null) is { } gate)
        {
            await gate.PassAsync();
        }

        if ((operation & StoreOperation.Writes) != 0 && Interlocked.Exchange(ref _beforePut, null) is { } putGate)
        {
            await putGate.PassAsync();
        }
    }
}
