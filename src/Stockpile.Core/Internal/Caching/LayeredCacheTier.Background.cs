using Microsoft.Extensions.Logging.Abstractions;

namespace Stockpile.Internal.Caching;

/// <content>
/// Values a get-or-create made reach the shared tier after the caller has them, as HybridCache and FusionCache do: the
/// caller waits for its read of the shared tier and the factory, not for the shared write and the backplane message
/// that follow. Memory takes the value at once, so this process serves it from then on.
/// <list type="bullet">
/// <item>Order: a later write of the same key through this tier (set, add, remove, take, increment) waits until the
/// background write of that key has ended, and a flush until all have, so an earlier value never lands over a later
/// write of this process. Two made values of one key are written in the order they were made.</item>
/// <item>Other instances: the write is fenced (<see cref="CacheTier.SetUnlessWrittenSinceAsync"/>) by the mark of the
/// flight's read: it lands only if no instance set, removed, pulled or flushed the key since that read; otherwise
/// the later write stands and memory drops the made value (unless written over since).</item>
/// <item>The backplane message still follows the shared write: the shared read missed, but another instance may have
/// stored the key since (a set), and this write replaces its value there; the message makes the instances that
/// hold that value in memory drop it, so every instance converges on what the shared tier holds. A shared tier that
/// can send it in the write's own call does (Redis: the <c>SetMade</c> script publishes it when it stores, one round
/// trip); otherwise it is published after the write, as any write's.</item>
/// <item>Failure (an outage never gets here: the shared tier skips it): logged at Error with its reason (<c>CacheMadeWriteFailed</c>) and counted (<c>stockpile.store.errors</c>, operation
/// <c>set</c>); memory drops the value unless written over since, so memory holds nothing the shared tier refused, and
/// the next miss makes it again. A failed message is the backplane's to keep and send again, as for any write.</item>
/// <item><see cref="SettledAsync"/> waits for the writes under way; <c>stockpile.background.pending</c> counts them.</item>
/// </list>
/// </content>
internal sealed partial class LayeredCacheTier
{
    private readonly Dictionary<string, Task> _madeByKey = new(StringComparer.Ordinal);
    private readonly Lock _madeLock = new();
    private readonly PendingWrites _madeWrites = new();

    /// <summary>Gets how many made values are on their way to the shared tier (for tests).</summary>
    public int PendingMadeWrites => _madeWrites.Count;

    /// <summary>Stores the value in memory now, and in the shared tier (then tells the other instances) in the background.</summary>
    public override ValueTask SetMadeAsync(string key, CacheEntry entry, object? mark, CancellationToken cancellationToken)
    {
        memory.Set(key, entry);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? before;
        lock (_madeLock)
        {
            _madeByKey.TryGetValue(key, out before);
            _madeByKey[key] = done.Task;
        }

        _madeWrites.Begin();
        (metrics ?? StockpileMetrics.Shared).Background(name, 1);
        _ = WriteMadeAsync(key, entry, mark, before, done);
        return default;
    }

    /// <summary>Completes when no made value is on its way to the shared tier (those made meanwhile included).</summary>
    public Task SettledAsync() => _madeWrites.WhenDrainedAsync();

    /// <summary>Waits until the background write of <paramref name="key"/>, if any, has ended: a later write must land after it.</summary>
    private ValueTask AfterMadeWriteAsync(string key)
    {
        Task? pending;
        lock (_madeLock)
        {
            if (!_madeByKey.TryGetValue(key, out pending))
            {
                return default;
            }
        }

        return new ValueTask(pending);
    }

    private async Task WriteMadeAsync(string key, CacheEntry entry, object? mark, Task? before, TaskCompletionSource done)
    {
        try
        {
            if (before is not null)
            {
                // Never faults: each write's task is completed, not failed, whatever its outcome.
                await before.ConfigureAwait(false);
            }

            switch (await shared.SetUnlessWrittenSinceAsync(key, entry, mark, evictions, CancellationToken.None).ConfigureAwait(false))
            {
                case MadeWrite.Stored:
                    await PublishAsync(key, CancellationToken.None).ConfigureAwait(false);
                    break;
                case MadeWrite.Refused:
                    // Another instance wrote the key after the flight's read (a set, remove, pull or flush): its write
                    // stands, and announced itself. Memory drops the older made value, unless written over since.
                    memory.RemoveIfHolding(key, entry);
                    break;
                default:
                    // Announced by the write itself (Redis: the SetMade script publishes the backplane's message).
                    break;
            }
        }
        catch (Exception ex)
        {
            memory.RemoveIfHolding(key, entry);
            (metrics ?? StockpileMetrics.Shared).Error(name, "set");
            Log.CacheMadeWriteFailed(logger ?? NullLogger.Instance, name, ex.Message, ex);
        }
        finally
        {
            lock (_madeLock)
            {
                if (_madeByKey.TryGetValue(key, out var current) && current == done.Task)
                {
                    _madeByKey.Remove(key);
                }
            }

            done.TrySetResult();
            (metrics ?? StockpileMetrics.Shared).Background(name, -1);
            _madeWrites.End();
        }
    }
}
