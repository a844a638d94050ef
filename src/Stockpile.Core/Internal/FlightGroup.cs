namespace Stockpile.Internal;

/// <summary>
/// The callers waiting on one read of the lower tiers (a single get, or a batch's misses): the read is cancelled only
/// when every one of them has cancelled, so one caller cancelling never cancels the others.
/// </summary>
internal sealed class FlightGroup : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource? _cancellation;
    private int _waiters;
    private bool _closed;

    /// <param name="cancellable">
    /// Whether every waiter may leave; <see langword="false"/> when the first waiter cannot cancel (it never leaves, so
    /// the read is never cancelled and needs no token source of its own).
    /// </param>
    public FlightGroup(bool cancellable = true)
    {
        _cancellation = cancellable ? new CancellationTokenSource() : null;
        Token = _cancellation?.Token ?? CancellationToken.None;
    }

    /// <summary>Gets the token the shared read runs with.</summary>
    public CancellationToken Token { get; }

    /// <summary>Adds a waiter; fails once the read has ended or every waiter has left.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _waiters++;
            return true;
        }
    }

    /// <summary>Removes a waiter that cancelled; the last one to leave cancels the read.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            if (_closed || --_waiters > 0)
            {
                return;
            }

            _closed = true;
            _cancellation?.Cancel();
        }
    }

    /// <summary>Ends the group when its read has ended: nobody enters it any more.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _cancellation?.Dispose();
        }
    }
}
