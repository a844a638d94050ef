using System.Collections.Concurrent;
using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;
using static Stockpile.Redis.Tests.Internal.Resp.RedisConnectionReconnectTests;
using static Stockpile.Redis.Tests.RedisTestEnvironment;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionPubSubTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task PublishAsync_Subscribed_HandlerReceivesChannelAndBinaryPayload()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var channel = UniqueKey("channel");
        var received = new TaskCompletionSource<(string, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await connection.SubscribeAsync(channel, (c, m) => received.TrySetResult((c, m.ToArray())));

        var receivers = await connection.PublishAsync(channel, new byte[] { 0, 1, 13, 10, 255 });

        Assert.That(receivers, Is.EqualTo(1));
        Assert.That(await received.Task.WaitAsync(Wait), Is.EqualTo((channel, new byte[] { 0, 1, 13, 10, 255 })));
    }

    [Test]
    public async Task SubscribeAsync_TwoHandlersAndOneDisposed_OnlyTheOtherReceivesAndChannelStaysSubscribed()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var channel = UniqueKey("channel");
        var first = new ConcurrentQueue<byte[]>();
        var second = new ConcurrentQueue<byte[]>();
        var one = await connection.SubscribeAsync(channel, (_, m) => first.Enqueue(m.ToArray()));
        var two = await connection.SubscribeAsync(channel, (_, m) => second.Enqueue(m.ToArray()));

        // PUBLISH answers on the command socket before the message reaches the subscriber socket: wait for it.
        await connection.PublishAsync(channel, "a"u8.ToArray());
        await WaitUntilAsync(() => !first.IsEmpty && !second.IsEmpty);
        await one.DisposeAsync();
        var receivers = await connection.PublishAsync(channel, "b"u8.ToArray());
        await WaitUntilAsync(() => second.Count == 2);
        await two.DisposeAsync();
        var afterAll = await connection.PublishAsync(channel, "c"u8.ToArray());
        await Task.Delay(100);

        Assert.Multiple(() =>
        {
            Assert.That(receivers, Is.EqualTo(1));
            Assert.That(afterAll, Is.Zero);
            Assert.That(first.Select(m => (char)m[0]), Is.EqualTo("a"));
            Assert.That(second.Select(m => (char)m[0]), Is.EqualTo("ab"));
        });
    }

    [Test]
    public async Task SubscribeAsync_HandlerThrows_IsLoggedAndLaterMessagesStillArrive()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var connection = await RedisTestEnvironment.ConnectAsync(loggerFactory: factory);
        var channel = UniqueKey("channel");
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await connection.SubscribeAsync(channel, (_, m) =>
        {
            if (m.Span[0] == (byte)'1')
            {
                throw new InvalidOperationException("handler bug");
            }

            second.TrySetResult();
        });

        await connection.PublishAsync(channel, "1"u8.ToArray());
        await connection.PublishAsync(channel, "2"u8.ToArray());

        await second.Task.WaitAsync(Wait);
        Assert.That(logs.Entries.Select(e => e.EventId.Id), Does.Contain(Log.MessageHandlerFailedId));
    }

    [Test]
    public async Task SubscribeAsync_ServerRestarted_ResubscribesAndRaisesRestoredForTheSubscriber()
    {
        await using var server = await RedisServer.StartAsync();
        var options = FastReconnecting(server.ConnectionString);
        await using var connection = await RedisConnection.ConnectAsync(options);
        var lost = Capture(h => connection.ConnectionLost += h, RedisConnectionRole.Subscription);
        var restored = Capture(h => connection.ConnectionRestored += h, RedisConnectionRole.Subscription);
        var messages = new ConcurrentQueue<string>();
        var afterRestart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await connection.SubscribeAsync("invalidate", (_, m) =>
        {
            messages.Enqueue(System.Text.Encoding.UTF8.GetString(m.Span));
            if (m.Span.SequenceEqual("after"u8))
            {
                afterRestart.TrySetResult();
            }
        });
        await connection.PublishAsync("invalidate", "before"u8.ToArray());

        await server.RestartAsync();
        await lost.Task.WaitAsync(Wait);
        await restored.Task.WaitAsync(Wait);
        await WaitUntilAsync(() => connection.IsConnected);
        var receivers = await connection.PublishAsync("invalidate", "after"u8.ToArray());

        await afterRestart.Task.WaitAsync(Wait);
        Assert.That(receivers, Is.EqualTo(1));
        Assert.That(messages, Is.EqualTo(new[] { "before", "after" }));
    }

    [Test]
    public async Task SubscribeAsync_SubscriberDown_IsKeptAndMadeWhenTheServerIsBack()
    {
        await using var server = await RedisServer.StartAsync();
        var options = FastReconnecting(server.ConnectionString);
        options.AbortOnConnectFail = false;
        await server.StopAsync();
        await using var connection = await RedisConnection.ConnectAsync(options);
        var restored = Capture(h => connection.ConnectionRestored += h, RedisConnectionRole.Subscription);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var subscription = await connection.SubscribeAsync("events", (_, _) => received.TrySetResult());
        await server.StartAgainAsync();
        await restored.Task.WaitAsync(Wait);
        await WaitUntilAsync(() => connection.IsConnected);
        await connection.PublishAsync("events", "x"u8.ToArray());

        await received.Task.WaitAsync(Wait);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "The condition did not become true in time.");
            await Task.Delay(10);
        }
    }
}
