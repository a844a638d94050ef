namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, benchmarks against the peers (item 3, a miss served from the database): the caller whose miss made the
/// value waited for it through the flight every joined caller waits on, whose completion runs its waiters on the thread
/// pool, after a yield to the thread pool before the factory: two hops per miss, which on a busy machine cost more than
/// the Redis round trip. The caller that makes the value now awaits the making directly; joined callers still wait on
/// the flight, and a caller that cancels still leaves without cancelling the others.
/// </summary>
[TestFixture]
public sealed class Issue12CacheMissHopTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task GetOrCreateAsync_Miss_CompletesOnTheThreadThatFinishedTheFactory()
    {
        var cache = new StockpileCache(new StockpileCacheOptions());
        var made = new TaskCompletionSource<string>();

        var read = cache.GetOrCreateAsync("k", made, static (m, _) => new ValueTask<string>(m.Task)).AsTask();
        Assert.That(read.IsCompleted, Is.False, "the factory is still running");
        made.SetResult("made");

        Assert.That(read.IsCompleted, Is.True, "the caller got its value on the thread that finished the factory");
        Assert.That(await read, Is.EqualTo("made"));
    }

    [Test]
    public async Task GetOrCreateAsync_MakerCancels_JoinedCallerStillGetsTheValue()
    {
        var cache = new StockpileCache(new StockpileCacheOptions());
        var made = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var calls = 0;
        ValueTask<string> Factory(int _, CancellationToken __)
        {
            Interlocked.Increment(ref calls);
            return new ValueTask<string>(made.Task);
        }

        var maker = cache.GetOrCreateAsync("k", 0, Factory, cancellationToken: cancel.Token).AsTask();
        var joined = cache.GetOrCreateAsync("k", 0, Factory).AsTask();
        while (cache.WaitersOf("k") < 2)
        {
            await Task.Delay(1);
        }

        await cancel.CancelAsync();
        Assert.That(async () => await maker.WaitAsync(s_bound), Throws.InstanceOf<OperationCanceledException>());
        made.SetResult("made");

        Assert.That(await joined.WaitAsync(s_bound), Is.EqualTo("made"));
        Assert.That(calls, Is.EqualTo(1));
    }
}
