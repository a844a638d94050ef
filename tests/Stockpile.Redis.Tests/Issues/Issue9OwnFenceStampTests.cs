using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, the CI failure of session 9 (<c>Issue9LatePutTests.SlowPut_ArrivesLateWhileItsCallerWaits_IsWritten(cluster)</c>:
/// both reads null). A store's put carries a stamp from its <see cref="RedisWriteClock"/>, a lower bound of the server's
/// time made from the server times its scripts return, which promises that a store's own writes never look newer than
/// its later puts. On a cluster the pointer script fenced the alternate key without returning that time, so the clock
/// knew only the object script's, which is earlier; when that reply was observed late (a busy machine), a slow put
/// sent right after found the SKU's fence newer than its stamp, took its own earlier put for a newer write, and left
/// the object evicted. Here the store's local clock is a fake that never moves: each reply's bound is exactly the
/// server time it brought, as if observed at the last moment, the case the promise must hold in.
/// </summary>
[TestFixture(false, TestName = "Issue9OwnFenceStampTests(server)")]
[TestFixture(true, TestName = "Issue9OwnFenceStampTests(cluster)")]
[NonParallelizable]
public sealed class Issue9OwnFenceStampTests(bool cluster) : RedisFixture
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);

    private protected override bool RunsOnCluster => cluster;

    /// <summary>The writes of a store whose fences its next put's stamp must not be older than.</summary>
    public enum Write
    {
        /// <summary>A new object with an alternate key (on a cluster: the object's script, then the pointer's).</summary>
        Put,

        /// <summary>The object again with another SKU: its old pointer is removed, and that key fenced.</summary>
        PutWithAnotherSku,

        /// <summary>Another object taking the first one's SKU: the first one is evicted, with its pointers.</summary>
        PutTakingItsSku,

        /// <summary>A delete by the primary key: the object and its pointer.</summary>
        DeleteById,

        /// <summary>A delete by the alternate key: the look-up, the object and its pointer.</summary>
        DeleteBySku,

        /// <summary>A put that also removes the object's keys in the other key layout (a second script on one server).</summary>
        PutEvictingTheOtherLayout,
    }

    [TestCase(Write.Put)]
    [TestCase(Write.PutWithAnotherSku)]
    [TestCase(Write.PutTakingItsSku)]
    [TestCase(Write.DeleteById)]
    [TestCase(Write.DeleteBySku)]
    [TestCase(Write.PutEvictingTheOtherLayout)]
    public async Task WriteReturned_NextPutsStamp_IsNoEarlierThanAnyFenceTheWriteSet(Write write)
    {
        await using var store = TestStores.Create(new FaultyRedis(_connection), o => o.EvictOtherKeyLayout = write == Write.PutEvictingTheOtherLayout, clockTime: new FakeTimeProvider());
        // Connects the store (its clear fence: a put of one object then takes the direct path) and loads its scripts (a
        // script the server does not know yet is sent again after its NOSCRIPT reply, behind what was sent after it).
        await store.PutAsync(TestStores.NewProduct());
        var product = TestStores.NewProduct("v0");
        if (write != Write.Put && write != Write.PutEvictingTheOtherLayout)
        {
            await store.PutAsync(product);
        }

        switch (write)
        {
            case Write.Put or Write.PutEvictingTheOtherLayout:
                await store.PutAsync(product);
                break;
            case Write.PutWithAnotherSku:
                await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku + "-b", Name = "v1", Price = product.Price });
                break;
            case Write.PutTakingItsSku:
                await store.PutAsync(new Product { Id = TestStores.NextId(), Sku = product.Sku, Name = "other", Price = product.Price });
                break;
            case Write.DeleteById:
                Assert.That(await store.DeleteAsync(EntityKey.For<Product>(product.Id)), Is.True);
                break;
            case Write.DeleteBySku:
                Assert.That(await store.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.True);
                break;
        }

        var (latest, fence) = await LatestFenceAsync(store.KeyPrefixForTests);
        Assert.That(store.WriteClock.Stamp(), Is.GreaterThanOrEqualTo(latest), $"a put sent now would look older than the fence {fence} its own store's write set");
    }

    /// <summary>
    /// The CI failure itself, made certain: the object script of a put whose caller still waits reaches its node more
    /// than <see cref="RedisScripts.LatePutMilliseconds"/> after its stamp (the server's clock is waited for, never a
    /// guessed sleep). On a cluster its object is evicted and its sender checks the SKU's fence against the stamp:
    /// only the store's own earlier put fenced it, so the put is sent again and written.
    /// </summary>
    [Test]
    public async Task SlowPut_AfterAPutOfTheSameObject_IsWrittenAndFoundByBothKeys()
    {
        var faulty = new FaultyRedis(_connection);
        await using var a = TestStores.Create(faulty, clockTime: new FakeTimeProvider());
        await using var b = TestStores.Create(_connection, o => o.KeyPrefix = a.KeyPrefixForTests);
        var product = TestStores.NewProduct("v0");
        await a.PutAsync(product);
        var slow = new Product { Id = product.Id, Sku = product.Sku, Name = $"slow-{product.Id}", Price = product.Price };
        var primary = TestStores.KeyOf(a.KeyPrefixForTests, EntityKey.For<Product>(product.Id));

        var held = 0;
        faulty.Before = (method, args) =>
            method == nameof(IDatabase.ScriptEvaluateAsync) && args is [_, RedisKey[] keys, RedisValue[] values, ..]
                && keys.Length > 0 && keys[0] == primary && StampOf(values) is { } stamp && Interlocked.Exchange(ref held, 1) == 0
                ? UntilLateAsync(stamp)
                : Task.CompletedTask;

        await a.PutAsync(slow).AsTask().WaitAsync(s_patience);

        Assert.That(held, Is.EqualTo(1), "the put's script was held until it was late");
        Assert.Multiple(async () =>
        {
            Assert.That((await b.GetAsync<Product, int>(slow.Id))?.Name, Is.EqualTo(slow.Name), "by id");
            Assert.That((await b.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), slow.Sku)))?.Name, Is.EqualTo(slow.Name), "by SKU");
        });
    }

    /// <summary>
    /// The stamp of a put's script, or <see langword="null"/> for another script: on one server the second argument of
    /// the short form or the third of the long one (after an empty lease); on a cluster the object script's third
    /// (<c>=</c> and the stamp).
    /// </summary>
    private long? StampOf(RedisValue[] values)
    {
        var text = (cluster, values.Length) switch
        {
            (true, > 2) when ((string?)values[2]) is ['=', .. var stamp] => stamp,
            (false, 4) => (string?)values[1],
            (false, >= 6) when values[0] == string.Empty => (string?)values[2],
            _ => null,
        };
        return long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var micros) ? micros : null;
    }

    /// <summary>Completes once the server's clock is more than <see cref="RedisScripts.LatePutMilliseconds"/> past <paramref name="stamp"/>.</summary>
    private async Task UntilLateAsync(long stamp)
    {
        var database = _connection.GetDatabase();
        while (await FenceBuckets.ServerMicrosecondsAsync(database) - stamp <= (RedisScripts.LatePutMilliseconds + 5) * 1000L)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>The latest fence under a prefix (µs) and its key: per-key fences and clear fences (strings), and the fence buckets of one server (hashes).</summary>
    private async Task<(long Latest, string Fence)> LatestFenceAsync(string prefix)
    {
        var database = _connection.GetDatabase();
        var (latest, fence) = (0L, "none");
        foreach (var server in _connection.GetServers().Where(static s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: RedisKeyPatterns.EscapeGlob(prefix) + "*"))
            {
                var name = (string)key!;
                IEnumerable<RedisValue> times = [];
                if (name.Contains(RedisKeyPatterns.FenceBucketInfix, StringComparison.Ordinal))
                {
                    times = (await database.HashGetAllAsync(key)).Where(static e => e.Name != string.Empty).Select(static e => e.Value);
                }
                else if (name.EndsWith(RedisKeyPatterns.FenceSuffix, StringComparison.Ordinal) || name.StartsWith(prefix + "#clear:", StringComparison.Ordinal))
                {
                    times = [await database.StringGetAsync(key)];
                }

                foreach (var time in times)
                {
                    if (long.TryParse((string?)time, System.Globalization.CultureInfo.InvariantCulture, out var micros) && micros > latest)
                    {
                        (latest, fence) = (micros, name);
                    }
                }
            }
        }

        Assert.That(latest, Is.Positive, "the write fenced something");
        return (latest, fence);
    }
}
