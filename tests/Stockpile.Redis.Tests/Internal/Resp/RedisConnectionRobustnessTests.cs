using System.Text;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionRobustnessTests
{
    [Test]
    public async Task ExecuteAsync_ReplyArrivesInDribbles_IsParsedWhole()
    {
        var reply = Encoding.ASCII.GetBytes("*3\r\n$12\r\nhello\r\nworld\r\n:42\r\n*1\r\n$-1\r\n");
        await using var server = new ScriptedRedisServer(_ => reply.Select(b => new[] { b }));
        await using var connection = await RedisConnection.ConnectAsync(server.Options);

        var result = await connection.ExecuteAsync(new RedisCommand("GET", "k"));

        var items = result.AsArray()!;
        Assert.Multiple(() =>
        {
            Assert.That(items[0].AsString(), Is.EqualTo("hello\r\nworld"));
            Assert.That(items[1].AsInt64(), Is.EqualTo(42));
            Assert.That(items[2].AsArray()![0].IsNull, Is.True);
        });
    }

    [Test]
    public async Task ExecuteAsync_ServerSendsGarbage_FailsWithProtocolErrorAndRaisesLost()
    {
        await using var server = new ScriptedRedisServer(_ => ["%not resp\r\n"u8.ToArray()]);
        await using var connection = await RedisConnection.ConnectAsync(server.Options);
        var lost = RedisConnectionReconnectTests.Capture(h => connection.ConnectionLost += h);

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.ExecuteAsync(new RedisCommand("GET", "k")));

        Assert.That(exception!.Message, Does.Contain("Protocol error").And.Contain("unexpected type byte"));
        Assert.That((await lost.Task.WaitAsync(TimeSpan.FromSeconds(5))).Reason, Is.Not.Null);
    }

    [Test]
    public async Task ExecuteAsync_ServerClosesMidReply_FailsWithConnectionException()
    {
        await using var server = new ScriptedRedisServer(name => name == "GET" ? null : ["$10\r\nabc"u8.ToArray()]);
        await using var connection = await RedisConnection.ConnectAsync(server.Options);

        Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.ExecuteAsync(new RedisCommand("GET", "k")));
    }
}
