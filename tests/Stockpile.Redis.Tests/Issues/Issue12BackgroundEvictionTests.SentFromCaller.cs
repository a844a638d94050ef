using Microsoft.EntityFrameworkCore;

namespace Stockpile.Redis.Tests.Issues;

/// <content>
/// Issue 12, item 4 (session 9): a small eviction behind the save sends its script from the saving thread, before
/// <c>SaveChangesAsync</c> returns (only its reply is awaited in the background), where a hand-off to the thread pool
/// first added a thread's wake-up before the backplane's message left; a large one still starts on the thread pool.
/// SQLite's save runs synchronously, so everything it calls before returning runs on the test's thread: the script's
/// call is seen there, or on another thread (the pool's), deterministically.
/// </content>
public sealed partial class Issue12BackgroundEvictionTests
{
    [Test]
    public async Task SaveChangesAsync_OneRowEvictedBehind_ScriptSentFromTheSavingThreadBeforeTheSaveReturns()
    {
        await using var app = await App.StartAsync();
        var script = await SaveWatchingTheScriptAsync(app, [app.Ids[0]]);

        Assert.That(script.Thread, Is.EqualTo(script.SavingThread), "the eviction's script was sent from the saving thread");
        Assert.That(script.BeforeReturn, Is.True, "the eviction's script was sent before SaveChangesAsync returned");
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(await app.OldInRedisAsync(), Is.EqualTo(Rows - 1), "the renamed row is gone from Redis, the others stay");
        Assert.That((await app.Chain.GetAsync<Row, int>(app.Ids[0]))?.Name, Is.EqualTo("v1"));
    }

    [Test]
    public async Task SaveChangesAsync_TenRowsEvictedBehind_ScriptLeavesTheSavingThread()
    {
        await using var app = await App.StartAsync();
        var script = await SaveWatchingTheScriptAsync(app, app.Ids);

        Assert.That(script.Thread != script.SavingThread || !script.BeforeReturn, Is.True, "20 look-ups are more than a save sends from its own thread");
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(await app.OldInRedisAsync(), Is.Zero, "every renamed row is gone from Redis");
    }

    /// <summary>Renames rows to <c>v1</c>, noting the thread the eviction's script was sent from and whether the save had returned by then.</summary>
    private static async Task<(int SavingThread, int Thread, bool BeforeReturn)> SaveWatchingTheScriptAsync(App app, int[] ids)
    {
        await using var context = app.NewContext();
        foreach (var row in await context.Rows.Where(r => ids.Contains(r.Id)).ToListAsync())
        {
            row.Name = "v1";
        }

        var returned = 0;
        var thread = 0;
        var beforeReturn = false;
        app.Faulty.Before = (method, _) =>
        {
            if (method == "ScriptEvaluateAsync" && Interlocked.CompareExchange(ref thread, Environment.CurrentManagedThreadId, 0) == 0)
            {
                beforeReturn = Volatile.Read(ref returned) == 0;
            }

            return Task.CompletedTask;
        };

        var savingThread = Environment.CurrentManagedThreadId;
        var save = context.SaveChangesAsync();
        var completedAtOnce = save.IsCompleted;
        Volatile.Write(ref returned, 1);
        await save.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(completedAtOnce, Is.True, "SQLite's save ran synchronously, on this thread");
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(Volatile.Read(ref thread), Is.Not.Zero, "the eviction's script was sent");
        return (savingThread, Volatile.Read(ref thread), beforeReturn);
    }
}
