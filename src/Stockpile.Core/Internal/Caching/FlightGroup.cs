namespace Stockpile.Internal.Caching;

/// <summary>
/// One factory call in progress, making one key or a batch of keys. It runs on a token of its own: it is cancelled only
/// when every caller waiting on any of its keys has stopped waiting.
/// </summary>
internal sealed class FlightGroup
{
    private int _waiters;

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Whether the group may still take new waiters (it has not been cancelled for want of any).</summary>
    public bool IsJoinable => !Cancellation.IsCancellationRequested;

    /// <summary>Gets how many callers wait; read under the flights' lock.</summary>
    public int Waiters => _waiters;

    /// <summary>Counts a waiter in; called under the flights' lock.</summary>
    public void Join() => _waiters++;

    /// <summary>Counts a waiter out; the last one to leave early cancels the factory. Called under the flights' lock.</summary>
    public void Leave()
    {
        if (--_waiters == 0)
        {
            Cancellation.Cancel();
        }
    }
}
