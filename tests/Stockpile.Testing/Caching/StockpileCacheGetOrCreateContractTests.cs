namespace Stockpile.Testing.Caching;

/// <summary>Stampede protection: one factory per key per process, shared by every waiter; on every tier layout.</summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheGetOrCreateContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task GetOrCreateAsync_ConcurrentMisses_RunTheFactoryOnceAndShareTheResult()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var callers = Enumerable.Range(0, 100).Select(_ => cache.GetOrCreateAsync("k", release, async (gate, ct) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return Guid.NewGuid().ToString();
        }).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(s_bound);

        Assert.That(calls, Is.EqualTo(1));
        Assert.That(results.Distinct().Count(), Is.EqualTo(1), "every waiter gets the one value made");
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("another")), Is.EqualTo(results[0]), "the value made was stored");
    }

    [Test]
    public async Task GetOrCreateAsync_ConcurrentMissesOfAMutableValue_EachWaiterGetsItsOwnCopy()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 10).Select(_ => cache.GetOrCreateAsync("k", release, async (gate, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return new StockpileCacheContractTests.Basket { Owner = "ann", Items = [1] };
        }).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(s_bound);
        results[0].Items.Add(2);

        Assert.That(results.Distinct().Count(), Is.EqualTo(results.Length), "no two callers share one mutable object");
        Assert.That(results.Skip(1).Select(static r => r.Items.Count), Has.All.EqualTo(1), "one caller changing its copy changes no other's");
    }

    [Test]
    public async Task GetOrCreateAsync_ConcurrentMissesOfAFlatMutableValue_EachWaiterAndEachLaterHitGetsItsOwnCopy()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 10).Select(_ => cache.GetOrCreateAsync("k", release, async (gate, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return new StockpileCacheContractTests.DetailedTally { Value = 1, Note = "made" };
        }).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(s_bound);
        results[0].Value = 2;
        var hit = await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.DetailedTally>(new StockpileCacheContractTests.DetailedTally()));
        hit.Note = "changed";
        var again = await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.DetailedTally>(new StockpileCacheContractTests.DetailedTally()));

        Assert.That(results.Append(hit).Append(again).Distinct().Count(), Is.EqualTo(results.Length + 2), "no two callers share one mutable object");
        Assert.That(results.Skip(1).Select(static r => (r.Value, r.Note)), Has.All.EqualTo((1, "made")), "one caller changing its copy changes no other's");
        Assert.That((again.Value, again.Note), Is.EqualTo((1, "made")), "a hit's copy changed by its caller leaves the cached value as made");
    }

    [Test]
    public async Task GetOrCreateManyAsync_OverlappingBatchesOfAMutableValue_EachCallerGetsItsOwnCopy()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 5).Select(_ => cache.GetOrCreateManyAsync<StockpileCacheContractTests.Tally>(["a", "b"], async (missing, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return missing.ToDictionary(static k => k, static _ => new StockpileCacheContractTests.Tally { Value = 1 });
        }).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(s_bound);
        results[0]["a"].Value = 2;

        Assert.That(results.Select(static r => r["a"]).Distinct().Count(), Is.EqualTo(results.Length));
        Assert.That(results.Skip(1).Select(static r => r["a"].Value), Has.All.EqualTo(1));
    }

    [Test]
    public async Task GetOrCreateAsync_OneCallerCancels_OthersStillGetTheValueAndTheFactoryIsNotCancelled()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryToken = CancellationToken.None;
        Func<int, CancellationToken, ValueTask<string>> factory = async (_, ct) =>
        {
            factoryToken = ct;
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return "made";
        };

        using var leaving = new CancellationTokenSource();
        var first = cache.GetOrCreateAsync("k", 0, factory, cancellationToken: leaving.Token).AsTask();
        await started.Task.WaitAsync(s_bound);
        var second = cache.GetOrCreateAsync("k", 0, factory).AsTask();
        Assert.That(SpinWait.SpinUntil(() => cache.WaitersOf("k") == 2, s_bound), Is.True, "the second caller joins the flight (on Redis, after its read returns)");

        await leaving.CancelAsync();
        Assert.ThrowsAsync<TaskCanceledException>(async () => await first);
        Assert.That(factoryToken.IsCancellationRequested, Is.False, "another caller still waits");

        release.SetResult();
        Assert.That(await second.WaitAsync(s_bound), Is.EqualTo("made"));
    }

    [Test]
    public async Task GetOrCreateAsync_EveryCallerCancels_CancelsTheFactory_AndTheNextCallRunsItAgain()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factoryCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leaving = new CancellationTokenSource();
        var first = cache.GetOrCreateAsync("k", 0, async (_, ct) =>
        {
            started.TrySetResult();
            ct.Register(() => factoryCancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }, cancellationToken: leaving.Token).AsTask();
        await started.Task.WaitAsync(s_bound);

        await leaving.CancelAsync();

        Assert.ThrowsAsync<TaskCanceledException>(async () => await first);
        await factoryCancelled.Task.WaitAsync(s_bound);
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("again")).AsTask().WaitAsync(s_bound), Is.EqualTo("again"));
    }

    [Test]
    public async Task GetOrCreateAsync_FactoryThrows_EveryWaiterGetsTheException_NothingIsStored_NextCallRunsAgain()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failure = new InvalidOperationException("database down");
        var calls = 0;

        var callers = Enumerable.Range(0, 10).Select(_ => cache.GetOrCreateAsync<int, string>("k", 0, async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            await release.Task.WaitAsync(ct);
            throw failure;
        }).AsTask()).ToArray();

        // Every caller joins the flight before it fails (on Redis a caller joins only after its read returns): a caller
        // that comes after the failure starts a new flight, as it should, and would be a second call.
        Assert.That(SpinWait.SpinUntil(() => cache.WaitersOf("k") == callers.Length, s_bound), Is.True, "every caller joins the flight");
        release.SetResult();

        foreach (var caller in callers)
        {
            var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await caller.WaitAsync(s_bound));
            Assert.That(error, Is.SameAs(failure));
        }

        Assert.That(calls, Is.EqualTo(1));
        Assert.That(await cache.ContainsAsync("k"), Is.False);
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("ok")), Is.EqualTo("ok"));
    }

    [Test]
    public async Task GetOrCreateManyAsync_CallsTheFactoryOnceWithOnlyTheMisses()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("a", "A (cached)");
        var asked = new List<IReadOnlyList<string>>();

        var values = await cache.GetOrCreateManyAsync<string>(["a", "b", "c", "b", "gone"], (missing, _) =>
        {
            asked.Add(missing);
            return new ValueTask<IReadOnlyDictionary<string, string>>(missing.Where(static k => k != "gone").ToDictionary(static k => k, static k => k.ToUpperInvariant()));
        });

        Assert.That(asked, Has.Count.EqualTo(1));
        Assert.That(asked[0], Is.EquivalentTo(new[] { "b", "c", "gone" }));
        Assert.That(values, Is.EquivalentTo(new Dictionary<string, string> { ["a"] = "A (cached)", ["b"] = "B", ["c"] = "C" }));
        Assert.That(await cache.GetAsync<string>("b"), Is.EqualTo("B"));
        Assert.That(await cache.ContainsAsync("gone"), Is.False, "a key the factory left out is not stored");
    }

    [Test]
    public async Task GetOrCreateManyAsync_OverlappingConcurrentBatches_MakeEachKeyOnce()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var made = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var batches = Enumerable.Range(0, 50).Select(b => cache.GetOrCreateManyAsync<int>(
            Enumerable.Range(b, 20).Select(static i => $"k{i}"),
            async (missing, ct) =>
            {
                foreach (var key in missing)
                {
                    made.AddOrUpdate(key, 1, static (_, n) => n + 1);
                }

                await release.Task.WaitAsync(ct);
                return missing.ToDictionary(static k => k, static k => int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture));
            }).AsTask()).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(batches).WaitAsync(s_bound);

        Assert.That(made.Values, Has.All.EqualTo(1), "each key is made by one factory call only");
        Assert.That(made.Keys, Has.Count.EqualTo(69));
        for (var b = 0; b < results.Length; b++)
        {
            Assert.That(results[b].Keys, Is.EquivalentTo(Enumerable.Range(b, 20).Select(static i => $"k{i}")));
            Assert.That(results[b].All(static p => p.Value == int.Parse(p.Key[1..], System.Globalization.CultureInfo.InvariantCulture)), Is.True);
        }
    }

    [Test]
    public async Task GetOrCreateManyAsync_FactoryThrows_ReachesTheCaller_NothingStored()
    {
        var cache = CreateCache(new StockpileCacheOptions());

        Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetOrCreateManyAsync<int>(["a", "b"], static (_, _) => throw new InvalidOperationException("boom")));

        Assert.That(await cache.ContainsAsync("a"), Is.False);
        var values = await cache.GetOrCreateManyAsync<int>(["a"], static (missing, _) => new ValueTask<IReadOnlyDictionary<string, int>>(missing.ToDictionary(static k => k, static _ => 1)));
        Assert.That(values["a"], Is.EqualTo(1));
    }
}
