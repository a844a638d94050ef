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
public sealed class Issue10CacheBatchSetTests(bool cluster) : RedisCacheFixture
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private protected override RedisCacheLayout Layout => RedisCacheLayout.MemoryThenRedis;

    private protected override bool RunsOnCluster => cluster;

    [Test]
    public async Task GetOrCreateManyAsync_50Misses_OneBackplaneMessage_EvictsEveryKeyOnTheOtherInstance()
    {
        await using var otherProcess = await RedisTestEnvironment.ConnectAsync(cluster);
        await using var a = _redis.Create(new StockpileCacheOptions(), _redis.Connection, out var aBackplane);
        await using var b = _redis.Create(new StockpileCacheOptions(), otherProcess, out var bBackplane);
        await aBackplane!.Subscribed;
        await bBackplane!.Subscribed;
        var keys = Enumerable.Range(0, 50).Select(i => "key " + i + " ü").ToArray();

        // Counts the messages of every sender but B, in the order they arrive: a handler given to Subscribe runs
        // concurrently with the others (StackExchange.Redis makes no order for it), so the sentinel published last
        // could be handled before A's message and the count read as 0 (the flake seen once under load); a message
        // queue's OnMessage handles them one by one, in order. B's own messages (its sets below) may reach the listener
        // late (a publish that timed out under load is sent again later, at-least-once), so senders are told apart
        // by the id each message starts with (16 bytes): the first message heard is B's, as nobody else publishes
        // before A's batch.
        var channel = RedisChannel.Literal(_redis.StorePrefix + "__cache:cache");
        var messages = 0;
        var gate = new object();
        byte[]? bSender = null;
        var heardB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = _redis.Connection.GetSubscriber();
        var queue = await listener.SubscribeAsync(channel);
        queue.OnMessage(received =>
        {
            var message = received.Message;
            if (message == "sentinel")
            {
                sentinel.TrySetResult();
                return;
            }

            var sender = ((byte[])message!)[..16];
            lock (gate)
            {
                if (bSender is null)
                {
                    bSender = sender;
                    heardB.TrySetResult();
                }
                else if (!sender.AsSpan().SequenceEqual(bSender))
                {
                    messages++;
                }
            }
        });

        // B holds old values in its memory; Redis loses them, so A misses every key and makes it anew.
        foreach (var key in keys)
        {
            await b.SetAsync(key, "old");
        }

        await heardB.Task.WaitAsync(s_bound);
        await Task.WhenAll(keys.Select(k => _redis.Connection.GetDatabase().KeyDeleteAsync($"{_redis.StorePrefix}#cache:cache:{{{k}}}")));

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
        await queue.UnsubscribeAsync();

        Assert.That(made, Has.Count.EqualTo(keys.Length));
        Assert.That(Volatile.Read(ref messages), Is.EqualTo(1), "one message from A for the batch");
        foreach (var key in keys)
        {
            Assert.That(await b.GetAsync<string>(key), Is.EqualTo("new " + key), key);
        }
    }
}
