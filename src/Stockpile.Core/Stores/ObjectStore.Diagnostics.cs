namespace Stockpile;

public abstract partial class ObjectStore
{
    /// <summary>Gets the OpenTelemetry <c>db.system</c> of what the store talks to (<c>redis</c>, <c>sqlite</c>, …), or <see langword="null"/> for an in-process store.</summary>
    internal virtual string? DbSystem => null;

    /// <summary>
    /// Checks, for the health check, that what the store talks to answers; returns <see langword="null"/> when it does,
    /// or why not (never a key, a value or a password). An in-process store is always healthy.
    /// </summary>
    internal virtual ValueTask<string?> ProbeAsync(CancellationToken cancellationToken) => default;

    /// <summary>
    /// Tells whether every write made to the store so far has reached what it talks to; a store that skipped writes
    /// while unreachable first tries to catch up. The invalidation outbox deletes a row only when every cache tier is
    /// settled after its evictions. An in-process store is always settled.
    /// </summary>
    internal virtual ValueTask<bool> SettleAsync(CancellationToken cancellationToken) => new(true);
}
