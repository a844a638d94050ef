using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>
/// The stampede lock across processes (issue 10), played by ten caches each on its own multiplexer: memory over Redis
/// and Redis alone, on a server and on the three-master cluster. Every wait is on a gate or a counter, never a sleep.
/// </summary>
/// <param name="layout">Where the caches keep their values.</param>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(RedisCacheLayout.MemoryThenRedis, false)]
[TestFixture(RedisCacheLayout.RedisOnly, false)]
[TestFixture(RedisCacheLayout.MemoryThenRedis, true)]
[TestFixture(RedisCacheLayout.RedisOnly, true)]
public sealed class RedisCacheStampedeLockTests(RedisCacheLayout layout, bool cluster)
{
    private const int Processes = 10;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

    private readonly RedisCacheConnection _redis = new(layout, cluster);
    private readonly List<ConnectionMultiplexer> _processes = [];

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        await _redis.ConnectAsync();
        for (var i = 0; i < Processes; i++)
        {
            _processes.Add(await RedisTestEnvironment.ConnectAsync(cluster));
        }
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Test]
    public async Task GetOrCreateAsync_TenProcessesMissOneKey_RunTheFactoryAboutOnce()
    {
        var caches = CreateCaches(new() { DistributedStampedeLock = true, StampedeLockExpiration = TimeSpan.FromSeconds(30) });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var reads = caches.Select(cache => Task.Run(async () => await GetOrCreateAsync(cache, async _ =>
        {
            var call = Interlocked.Increment(ref calls);
            await gate.Task;
            return $"made by call {call}";
        }))).ToArray();
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref calls) == 1 && caches.Sum(c => c.StampedeLockWaits) == Processes - 1), s_bound);
        gate.SetResult();
        var values = await Task.WhenAll(reads).WaitAsync(s_bound);

        Assert.That(calls, Is.LessThanOrEqualTo(2), "the factory ran about once across ten processes");
        Assert.That(values, Has.All.EqualTo(values[0]), "every process got the value one of them made");
    }

    [Test]
    public async Task GetOrCreateAsync_WithoutTheLock_EachProcessRunsTheFactory()
    {
        var caches = CreateCaches(new());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var reads = caches.Select(cache => Task.Run(async () => await GetOrCreateAsync(cache, async _ =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task;
            return "made";
        }))).ToArray();
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref calls) == Processes), s_bound);
        gate.SetResult();
        await Task.WhenAll(reads).WaitAsync(s_bound);

        Assert.That(caches.Sum(c => c.StampedeLockWaits), Is.Zero, "the lock is off by default");
    }

    [Test]
    public async Task GetOrCreateAsync_HolderNeverReleases_AWaiterRunsTheFactoryOnceTheLockExpires()
    {
        var caches = CreateCaches(new() { DistributedStampedeLock = true, StampedeLockExpiration = TimeSpan.FromMilliseconds(500) }, count: 2);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopHolder = new CancellationTokenSource();
        var holder = GetOrCreateAsync(caches[0], async ct =>
        {
            holding.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }, stopHolder.Token).AsTask();
        await holding.Task.WaitAsync(s_bound);

        var value = await GetOrCreateAsync(caches[1], static _ => new ValueTask<string>("made by the waiter")).AsTask().WaitAsync(s_bound);

        Assert.That(value, Is.EqualTo("made by the waiter"));
        Assert.That(caches[1].StampedeLockWaits, Is.EqualTo(1), "the waiter found the lock taken and waited for it to expire");
        await stopHolder.CancelAsync();
        Assert.That(async () => await holder, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task GetOrCreateAsync_HolderSlowerThanTheTimeout_AWaiterRunsTheFactory()
    {
        var caches = CreateCaches(new() { DistributedStampedeLock = true, StampedeLockTimeout = TimeSpan.FromMilliseconds(300) }, count: 2);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = GetOrCreateAsync(caches[0], async _ =>
        {
            holding.SetResult();
            await gate.Task;
            return "made by the holder";
        }).AsTask();
        await holding.Task.WaitAsync(s_bound);

        var value = await GetOrCreateAsync(caches[1], static _ => new ValueTask<string>("made by the waiter")).AsTask().WaitAsync(s_bound);
        gate.SetResult();

        Assert.That(value, Is.EqualTo("made by the waiter"), "the wait is bounded");
        Assert.That(await holder.WaitAsync(s_bound), Is.EqualTo("made by the holder"));
    }

    [Test]
    public async Task GetOrCreateAsync_HolderFails_AWaiterRunsTheFactory_AndTheFailureStaysWithTheHolder()
    {
        var caches = CreateCaches(new() { DistributedStampedeLock = true, StampedeLockExpiration = TimeSpan.FromSeconds(30) }, count: 2);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = GetOrCreateAsync<string>(caches[0], async _ =>
        {
            holding.SetResult();
            await gate.Task;
            throw new InvalidOperationException("the database is down");
        }).AsTask();
        await holding.Task.WaitAsync(s_bound);
        var waiter = GetOrCreateAsync(caches[1], static _ => new ValueTask<string>("made by the waiter")).AsTask();
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(caches[1].StampedeLockWaits == 1), s_bound);

        gate.SetResult();

        Assert.That(async () => await holder, Throws.InvalidOperationException);
        Assert.That(await waiter.WaitAsync(s_bound), Is.EqualTo("made by the waiter"), "the released lock is taken well before it would expire");
    }

    [Test]
    public void LockKey_SitsInTheValuesSlot()
    {
        var tier = (RedisCacheTier)CreateCaches(new(), count: 1)[0].Tier.Locks!;

        foreach (var key in new[] { "report", "user:42", "a b", "x" })
        {
            Assert.That(_redis.Connection.GetHashSlot(tier.LockKeyOf(key)), Is.EqualTo(_redis.Connection.GetHashSlot(tier.KeyOf(key))), key);
        }
    }

    private static ValueTask<T> GetOrCreateAsync<T>(StockpileCache cache, Func<CancellationToken, ValueTask<T>> factory, CancellationToken cancellationToken = default) =>
        cache.GetOrCreateAsync("report", factory, static (f, ct) => f(ct), cancellationToken: cancellationToken);

    private StockpileCache[] CreateCaches(StockpileCacheOptions options, int count = Processes) =>
        [.. _processes.Take(count).Select(process => _redis.Create(Copy(options), process))];

    private static StockpileCacheOptions Copy(StockpileCacheOptions options) => new()
    {
        DistributedStampedeLock = options.DistributedStampedeLock,
        StampedeLockExpiration = options.StampedeLockExpiration,
        StampedeLockTimeout = options.StampedeLockTimeout,
    };
}
