using System.Runtime.ExceptionServices;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The second half of a large <c>MGET</c> reply, read on a thread-pool worker while the caller reads the first half:
/// whichever thread claims it first reads it (<see cref="Execute"/> on the worker, <see cref="Finish"/> on the
/// caller), so a worker that does not start in time costs the caller only the queueing, never a wait.
/// </summary>
/// <param name="read">Reads the half: <see langword="false"/> when a value in it is not a readable object.</param>
internal sealed class ReplyTail(Func<bool> read) : IThreadPoolWorkItem
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Done = 2;

    internal static long s_byWorker, s_byCaller;
    private int _state;
    private bool _readable;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Queues the half to a worker (the pool's global queue, so that an idle worker takes it at once).</summary>
    public ReplyTail Start()
    {
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return this;
    }

    /// <inheritdoc/>
    public void Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued)
        {
            Interlocked.Increment(ref s_byWorker);
            ReadAndPublish();
        }
    }

    /// <summary>Reads the half on the caller's thread if no worker took it yet, or waits for the worker that did (it is already reading).</summary>
    /// <returns><see langword="false"/> when a value of the half is not a readable object.</returns>
    public bool Finish()
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued)
        {
            Interlocked.Increment(ref s_byCaller);
            ReadAndPublish();
        }
        else
        {
            // A worker is reading the half (some microseconds): spin, yielding the core but never sleeping.
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _state) != Done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        _failure?.Throw();
        return _readable;
    }

    private void ReadAndPublish()
    {
        try
        {
            _readable = read();
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            Volatile.Write(ref _state, Done);
        }
    }
}
