using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Caching;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 10, the misses of a batch get-or-create on memory over Redis: the made values are stored as one batch and
/// announced to the other instances in one backplane message, which evicts every one of its keys there.
/// </summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false, TestName = "Issue10CacheBatchSetTests(server)")]
[TestFixture(true, TestName = "Issue10CacheBatchSetTests(cluster)")]
public sealed class Issue10CacheBatchSetTests(bool cluster)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private readonly RedisCacheConnection _redis = new(RedisCacheLayout.MemoryThenRedis, cluster);

    [OneTimeSetUp]
    public Task ConnectAsync() => _redis.ConnectAsync();

    [OneTimeTearDown]
    public ValueTask DisconnectAsync() => _redis.DisposeAsync();

    [Test]
    public async Task GetOrCreateManyAsync_50Misses_OneBackplaneMessage_EvictsEveryKeyOnTheOtherInstance()
    {
        await using var otherProcess = await RedisTestEnvironment.ConnectAsync(cluster);
        await using var a = _redis.Create(new StockpileCacheOptions(), _redis.Connection, out var aBackplane);
        await using var b = _redis.Create(new StockpileCacheOptions(), otherProcess, out var bBackplane);
        await aBackplane!.Subscribed;
        await bBackplane!.Subscribed;
        var keys = Enumerable.Range(0, 50).Select(i => "key " + i + " ü").ToArray();

        // B holds old values in its memory; Redis loses them, so A misses every key and makes it anew.
        foreach (var key in keys)
        {
            await b.SetAsync(key, "old");
        }

        await Task.WhenAll(keys.Select(k => _redis.Connection.GetDatabase().KeyDeleteAsync($"{_redis.StorePrefix}#cache:cache:{{{k}}}")));

        var channel = RedisChannel.Literal(_redis.StorePrefix + "__cache:cache");
        var messages = 0;
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = _redis.Connection.GetSubscriber();
        await listener.SubscribeAsync(channel, (_, message) =>
        {
            if (message == "sentinel")
            {
                sentinel.TrySetResult();
            }
            else
            {
                Interlocked.Increment(ref messages);
            }
        });

        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evictedCount = 0;
        bBackplane.Evicted += key =>
        {
            if (Interlocked.Increment(ref evictedCount) == keys.Length)
            {
                evicted.TrySetResult();
            }
        };

        var made = await a.GetOrCreateManyAsync<string>(keys, (missing, _) => new(missing.ToDictionary(k => k, k => "new " + k)));
        await evicted.Task.WaitAsync(s_bound);
        await listener.PublishAsync(channel, "sentinel");
        await sentinel.Task.WaitAsync(s_bound);
        await listener.UnsubscribeAsync(channel);

        Assert.That(made, Has.Count.EqualTo(keys.Length));
        Assert.That(messages, Is.EqualTo(1), "one message for the batch");
        foreach (var key in keys)
        {
            Assert.That(await b.GetAsync<string>(key), Is.EqualTo("new " + key), key);
        }
    }
}
