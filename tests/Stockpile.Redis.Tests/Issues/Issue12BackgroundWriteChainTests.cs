using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (session 6): a chain's Redis back-fill lands after its caller has the row. Once it had landed it
/// was undone (the object deleted from Redis) whenever any write of the type had begun since the read: a write of the
/// same row right after the read (this process's, or another instance's whose backplane message evicted this one's
/// memory) then lost its newer value from Redis, and the outbox and entity-tag tests that read Redis after such a
/// write became flaky. Redis refuses a back-fill read before a put, delete or clear of its object by its lease, so the
/// background back-fill is now undone only after what the lease cannot see: a removal by tag of its types. The reply
/// of the back-fill's script is held (<see cref="FaultyRedis.Hold"/>) while the write runs, so the write begins before
/// the back-fill's check.
/// </summary>
public sealed class Issue12BackgroundWriteChainTests
{
    [Test]
    public async Task GetAsync_WriteOfTheRowRightAfterTheRead_BackgroundBackfillLeavesTheNewerRowInRedis([Values] bool sameInstance)
    {
        await using var set = await BackgroundBackfillChain.StartAsync();
        var (faulty, other, database, chain) = (set.Faulty!, set.Other, set.Database, set.Chain);
        var old = await set.SeedAsync("old");

        var held = 0;
        faulty.Hold = (method, _) => method.Name == "ScriptEvaluateAsync" && Interlocked.Exchange(ref held, 1) == 0;
        Assert.That((await chain.GetAsync<Product, int>(old.Id))?.Name, Is.EqualTo("old"));
        Assert.That(chain.BackgroundBackfills, Is.EqualTo(1), "the back-fill is sent; its reply is held");

        var renamed = new Product { Id = old.Id, Sku = old.Sku, Name = "new", Price = old.Price };
        if (sameInstance)
        {
            await chain.PutAsync(renamed);
        }
        else
        {
            // Another instance writes the row through (database, then Redis) and its backplane message reaches this one.
            await database.PutAsync(renamed);
            await other.PutAsync(renamed);
            await chain.EvictLocalAsync([EntityKey.For<Product>(old.Id)]);
        }

        faulty.ReleaseHeld();
        Assert.That(await chain.SettleAsync(default), Is.True);

        Assert.That((await other.GetAsync<Product, int>(old.Id))?.Name, Is.EqualTo("new"), "the write's newer row stays in Redis");
        Assert.That((await chain.GetAsync<Product, int>(old.Id))?.Name, Is.EqualTo("new"));
    }

    [Test]
    public async Task GetAsync_TagRemovedWhileTheDatabaseAnswers_BackgroundBackfillIsStillUndone()
    {
        await using var set = await BackgroundBackfillChain.StartAsync(throughFaulty: false);
        var (other, database, chain) = (set.Other, set.Database, set.Chain);
        var tenant = TestStores.NextId();
        var order = new TenantOrder { Id = TestStores.NextId(), Number = $"N-{TestStores.NextId()}", TenantId = tenant, Note = "v1" };
        await database.PutAsync(order);

        // The read has begun (its write epochs are taken) when the removal runs; the database answers after it.
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        database.BeforeRead = () =>
        {
            reading.TrySetResult();
            return answer.Task;
        };
        var read = chain.GetAsync<TenantOrder, int>(order.Id).AsTask();
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
        database.BeforeRead = null;
        await chain.RemoveByTagAsync($"tenant:{tenant}");
        answer.SetResult();
        Assert.That((await read.WaitAsync(TimeSpan.FromSeconds(30)))?.Note, Is.EqualTo("v1"), "the caller gets what the database answered");
        Assert.That(await chain.SettleAsync(default), Is.True);

        // Redis cannot refuse it (the removal found no object to fence): the back-fill is undone once it has landed.
        Assert.That(await other.GetAsync<TenantOrder, int>(order.Id), Is.Null, "no tier keeps what the removal by tag came after");
    }
}
