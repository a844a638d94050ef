using System.Diagnostics;
using Stockpile.Redis.Internal.Resp;
using static Stockpile.Redis.Tests.RedisTestEnvironment;

namespace Stockpile.Redis.Tests.Internal.Resp;

[NonParallelizable]
public class RedisConnectionTimeoutTests
{
    private const string Secret = "value-that-must-not-leak";

    [Test]
    public async Task ExecuteAsync_ServerPaused_ThrowsTimeoutNamingTheCommandAndStaysUsable()
    {
        await using var control = await RedisTestEnvironment.ConnectAsync();
        await using var connection = await RedisTestEnvironment.ConnectAsync(o => o.SyncTimeout = TimeSpan.FromMilliseconds(200));
        var (first, second) = (UniqueKey(), UniqueKey());
        await connection.ExecuteAsync(new RedisCommand("SET", first, "first"));
        await connection.ExecuteAsync(new RedisCommand("SET", second, "second"));

        await control.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 800, "ALL"));
        var stopwatch = Stopwatch.StartNew();
        var timeout = Assert.ThrowsAsync<RedisTimeoutException>(async () =>
            await connection.ExecuteAsync(new RedisCommand("SET", first, Secret)));
        var batchTimeout = Assert.ThrowsAsync<RedisTimeoutException>(async () =>
            await connection.ExecuteBatchAsync([new("GET", first), new("GET", second)]));
        stopwatch.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(timeout, Is.InstanceOf<TimeoutException>());
            Assert.That(timeout!.Command, Is.EqualTo("SET"));
            Assert.That(timeout.Message, Does.Contain("SET").And.Contain("200 ms").And.Not.Contain(Secret).And.Not.Contain(first));
            Assert.That(batchTimeout!.Message, Does.Contain("batch of 2 commands starting with GET"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(750)));
        });

        // The late replies are matched to the timed-out requests and dropped; later callers get their own.
        await Task.Delay(900);
        var replies = await Task.WhenAll(
            connection.ExecuteAsync(new RedisCommand("GET", second)).AsTask(),
            connection.ExecuteAsync(new RedisCommand("GET", first)).AsTask());
        Assert.That(replies.Select(r => r.AsString()), Is.EqualTo(new[] { "second", Secret }));
        Assert.That(connection.IsConnected, Is.True);
    }

    [Test]
    public async Task ExecuteAsync_Cancelled_ThrowsOperationCanceledAndStaysUsable()
    {
        await using var control = await RedisTestEnvironment.ConnectAsync();
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        await control.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 500, "ALL"));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.CatchAsync<OperationCanceledException>(async () =>
            await connection.ExecuteAsync(new RedisCommand("PING"), cancellation.Token));

        await control.ExecuteAsync(new RedisCommand("CLIENT", "UNPAUSE"));
        var echo = await connection.ExecuteAsync(new RedisCommand("ECHO", "after"));
        Assert.That(echo.AsString(), Is.EqualTo("after"));
    }

    [Test]
    public void ExecuteAsync_AlreadyCancelledToken_ThrowsWithoutSending()
    {
        Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await using var connection = await RedisTestEnvironment.ConnectAsync();
            await connection.ExecuteAsync(new RedisCommand("PING"), new CancellationToken(canceled: true));
        });
    }

    [Test]
    public async Task KeepAlive_ServerStopsAnswering_ClosesTheConnectionAndReconnects()
    {
        await using var control = await RedisTestEnvironment.ConnectAsync();
        await using var connection = await RedisTestEnvironment.ConnectAsync(o =>
        {
            o.KeepAlive = TimeSpan.FromMilliseconds(300);
            o.SyncTimeout = TimeSpan.FromMilliseconds(300);
            o.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
            o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        });
        var lost = RedisConnectionReconnectTests.Capture(h => connection.ConnectionLost += h);
        var restored = RedisConnectionReconnectTests.Capture(h => connection.ConnectionRestored += h);

        await control.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 1500, "ALL"));
        var reason = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await control.ExecuteAsync(new RedisCommand("CLIENT", "UNPAUSE"));
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(reason.Reason!.Message, Does.Contain("did not answer PING"));
        Assert.That((await connection.ExecuteAsync(new RedisCommand("PING"))).AsString(), Is.EqualTo("PONG"));
    }
}
