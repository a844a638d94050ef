using Stockpile.Internal.Caching;

namespace Stockpile.Tests.Fakes;

/// <summary>A memory tier whose next read, once asked to, reads and then waits for a release before answering (a slow Redis reply, made deterministic).</summary>
internal sealed class HeldReadCacheTier(MemoryCacheTier inner) : CacheTier
{
    private TaskCompletionSource? _reached;
    private Task? _release;
    private int _reads;

    /// <summary>Gets how many single-key reads this tier answered (a Redis round trip each, on the real tier).</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Holds the next read after it has read; returns when it got there and a gate to let it answer.</summary>
    public (Task Reached, TaskCompletionSource Release) HoldNextRead()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _reached = reached;
        _release = release.Task;
        return (reached.Task, release);
    }

    public override async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        var entry = await inner.GetAsync(key, cancellationToken);
        if (Interlocked.Exchange(ref _reached, null) is { } reached)
        {
            reached.SetResult();
            await _release!;
        }

        return entry;
    }

    public override ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.GetManyAsync(keys, cancellationToken);

    public override ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken) => inner.SetAsync(key, entry, cancellationToken);

    public override ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken) => inner.AddAsync(key, entry, cancellationToken);

    public override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) => inner.RemoveAsync(key, cancellationToken);

    public override ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken) => inner.TakeAsync(key, cancellationToken);

    public override ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken) => inner.IncrementAsync(key, delta, cancellationToken);

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken) => inner.GetTagVersionsAsync(tags, cancellationToken);

    public override ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken) => inner.BumpTagAsync(tag, cancellationToken);
}
