namespace Stockpile.Tests.Fakes;

/// <summary>
/// Wraps a store and holds its next read until the test releases it; the release runs the read's continuations on the
/// releasing thread (as a Redis reply completes a read on the thread that received it), so a test can tell whether a
/// caller got its answer on that thread or was queued for another.
/// </summary>
public sealed class InlineHeldStore(ObjectStore inner) : DelegatingStore(inner)
{
    private TaskCompletionSource? _held;

    /// <summary>Holds the next read (single or batch) before it reaches the inner store; complete the source to let it go.</summary>
    public TaskCompletionSource HoldNextRead() => _held = new TaskCompletionSource();

    protected override ValueTask BeforeAsync(StoreOperation operation, IReadOnlyList<object> arguments, CancellationToken cancellationToken) =>
        (operation & StoreOperation.Reads) != 0 && Interlocked.Exchange(ref _held, null) is { } held ? new ValueTask(held.Task) : default;
}
