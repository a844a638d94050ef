using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, the torture soak's two stale reads (cluster, PostgreSQL, write-through, seed 916854, no fault running):
/// one instance read the version before its own last returned write. On a cluster a back-fill cannot check its fences
/// and write in one script (the keys live in several slots), so it checked, wrote, and checked again, evicting what it
/// wrote when a fence had appeared. Another instance's commit that evicted the row between the first check and the
/// write therefore left the older state in Redis until the second check: any read in that window got it, and a chain
/// back-filled it into its memory tier, where nothing evicted it again (the refused back-fill's eviction is Redis's
/// own, never published). Here the back-fill's write is held by a gate on its connection while the other instance
/// commits and evicts, and Redis is read right after the write.
/// </summary>
[NonParallelizable]
public sealed class Issue12ClusterBackfillRaceTests
{
    [Test]
    public async Task BackfillWrittenAfterAnotherInstancesEviction_OnCluster_IsNeverServed()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync(cluster: true);
        var faulty = new FaultyRedis(connection);
        var prefix = TestStores.UniquePrefix();
        await using var reader = TestStores.Create(faulty, o => o.KeyPrefix = prefix);
        await using var other = TestStores.Create(connection, o => o.KeyPrefix = prefix);
        var database = new FakeDatabase();
        var row = TestStores.NewProduct("old");
        await database.PutAsync(row);
        var objectKey = TestStores.KeyOf(prefix, EntityKey.For<Product>(row.Id));

        var steps = new BackfillSteps(objectKey);
        faulty.Before = steps.Before;
        var read = new ChainedStore([reader, database]).GetAsync<Product, int>(row.Id).AsTask();
        await steps.WriteHeld.WaitAsync(TimeSpan.FromSeconds(30));

        // The back-fill has checked its fences and is about to write "old": the other instance commits and evicts.
        await database.PutAsync(new Product { Id = row.Id, Sku = row.Sku, Name = "new", Price = row.Price });
        await other.DeleteAsync(EntityKey.For<Product>(row.Id));
        steps.ReleaseWrite();

        // The back-fill's next call (its second check, or its eviction) is held: Redis as any reader finds it now.
        await steps.NextHeld.WaitAsync(TimeSpan.FromSeconds(30));
        var inWindow = (await other.GetAsync<Product, int>(row.Id))?.Name;
        var bySku = (await other.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), row.Sku)))?.Name;
        steps.ReleaseNext();

        Assert.Multiple(async () =>
        {
            Assert.That((await read)?.Name, Is.EqualTo("old"), "the reader read before the commit");
            Assert.That(inWindow, Is.Null.Or.EqualTo("new"), "right after the back-fill's write, Redis by primary key");
            Assert.That(bySku, Is.Null.Or.EqualTo("new"), "right after the back-fill's write, Redis by alternate key");
            Assert.That((await other.GetAsync<Product, int>(row.Id))?.Name, Is.Null.Or.EqualTo("new"), "once the back-fill is done");
        });
    }

    /// <summary>Holds the back-fill's write of the object (after its first fence check) and then the call that follows it.</summary>
    private sealed class BackfillSteps(string objectKey)
    {
        private readonly TaskCompletionSource _writeHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _write = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _nextHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _stage;

        public Task WriteHeld => _writeHeld.Task;

        public Task NextHeld => _nextHeld.Task;

        public void ReleaseWrite() => _write.SetResult();

        public void ReleaseNext() => _next.SetResult();

        public Task Before(string method, object?[] args)
        {
            if (method != nameof(IDatabase.ScriptEvaluateAsync) || args is not [_, RedisKey[] keys, RedisValue[] arguments, ..])
            {
                return Task.CompletedTask;
            }

            // The object script of a put or back-fill: its keys are the object's (value, side record, fence) and its
            // arguments start with the value, the lifetime and the mode (an eviction takes one or two arguments).
            // A server that does not know a script yet answers NOSCRIPT, and the script is sent again in full.
            var write = keys.Length == 3 && keys[0] == objectKey && arguments.Length >= 4;
            if (write && Interlocked.CompareExchange(ref _stage, 1, 0) == 0)
            {
                _writeHeld.SetResult();
                return _write.Task;
            }

            if (!write && Volatile.Read(ref _stage) == 1 && _write.Task.IsCompleted && Interlocked.CompareExchange(ref _stage, 2, 1) == 1)
            {
                _nextHeld.SetResult();
                return _next.Task;
            }

            return Task.CompletedTask;
        }
    }
}
