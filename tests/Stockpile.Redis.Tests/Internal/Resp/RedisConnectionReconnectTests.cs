using System.Diagnostics;
using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionReconnectTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private RedisServer _server = null!;

    [SetUp]
    public async Task StartAsync() => _server = await RedisServer.StartAsync(new RedisServerOptions { Password = "reconnect-pw" });

    [TearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task ExecuteAsync_ServerRestarted_FailsFastWhileDownThenSucceeds()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var connection = await RedisConnection.ConnectAsync(Options(database: 3), factory);
        var lost = Capture(h => connection.ConnectionLost += h);
        var restored = Capture(h => connection.ConnectionRestored += h);
        await connection.ExecuteAsync(new RedisCommand("SET", "k", "before"));

        await _server.StopAsync();
        var lostArgs = await lost.Task.WaitAsync(EventTimeout);
        var stopwatch = Stopwatch.StartNew();
        var whileDown = Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.ExecuteAsync(new RedisCommand("GET", "k")));
        stopwatch.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(lostArgs.Role, Is.EqualTo(RedisConnectionRole.Interactive));
            Assert.That(lostArgs.Reason, Is.Not.Null);
            Assert.That(connection.IsConnected, Is.False);
            Assert.That(whileDown!.Message, Does.Contain("GET").And.Contain("reconnecting"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(100)));
        });

        await _server.StartAgainAsync();
        var restoredArgs = await restored.Task.WaitAsync(EventTimeout);
        await connection.ExecuteAsync(new RedisCommand("SET", "k", "after"));

        // The database was selected again: the key is in database 3, not 0.
        await using var checker = await RedisConnection.ConnectAsync(Options(database: 3));
        Assert.Multiple(async () =>
        {
            Assert.That(restoredArgs.Role, Is.EqualTo(RedisConnectionRole.Interactive));
            Assert.That(connection.IsConnected, Is.True);
            Assert.That((await checker.ExecuteAsync(new RedisCommand("GET", "k"))).AsString(), Is.EqualTo("after"));
            Assert.That(logs.Entries.Select(e => e.EventId.Id), Does.Contain(Log.ConnectionLostId).And.Contain(Log.ConnectionRestoredId));
            Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains("reconnect-pw"));
        });
    }

    [Test]
    public async Task ExecuteAsync_ConnectionDropsWhileWaiting_FailsWithConnectionExceptionNotTimeout()
    {
        await using var connection = await RedisConnection.ConnectAsync(Options());
        await using var control = await RedisConnection.ConnectAsync(Options());
        await control.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 5000, "ALL"));
        var pending = connection.ExecuteAsync(new RedisCommand("PING")).AsTask();

        await Task.Delay(100);
        await _server.StopAsync();

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await pending);
        Assert.That(exception!.Message, Does.Contain(_server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task ConnectAsync_ServerDownAndAbortConnectOff_ConnectsWhenServerStarts()
    {
        await _server.StopAsync();
        var options = Options();
        options.AbortOnConnectFail = false;

        await using var connection = await RedisConnection.ConnectAsync(options);
        var restored = Capture(h => connection.ConnectionRestored += h);
        Assert.That(connection.IsConnected, Is.False);
        Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.ExecuteAsync(new RedisCommand("PING")));

        await _server.StartAgainAsync();
        await restored.Task.WaitAsync(EventTimeout);

        Assert.That((await connection.ExecuteAsync(new RedisCommand("PING"))).AsString(), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task ConnectAsync_ServerDownAndAbortConnectOn_ThrowsConnectionException()
    {
        await _server.StopAsync();

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisConnection.ConnectAsync(Options()));

        Assert.That(exception!.Message, Does.Contain("Could not connect"));
    }

    [Test]
    public async Task DisposeAsync_WhileReconnecting_StopsPromptly()
    {
        var connection = await RedisConnection.ConnectAsync(Options());
        await _server.StopAsync();
        await Task.Delay(200);

        var stopwatch = Stopwatch.StartNew();
        await connection.DisposeAsync();

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await connection.ExecuteAsync(new RedisCommand("PING")));
    }

    internal static TaskCompletionSource<RedisConnectionEventArgs> Capture(
        Action<EventHandler<RedisConnectionEventArgs>> subscribe, RedisConnectionRole role = RedisConnectionRole.Interactive)
    {
        var completion = new TaskCompletionSource<RedisConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, args) =>
        {
            if (args.Role == role)
            {
                completion.TrySetResult(args);
            }
        });
        return completion;
    }

    private RedisConnectionOptions Options(int database = 0)
    {
        var options = RedisTestEnvironment.FastReconnecting(_server.ConnectionString);
        options.DefaultDatabase = database;
        options.ConnectTimeout = TimeSpan.FromSeconds(2);
        return options;
    }
}
