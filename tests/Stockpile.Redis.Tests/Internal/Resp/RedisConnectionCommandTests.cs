using System.Text;
using Stockpile.Redis.Internal.Resp;
using static Stockpile.Redis.Tests.RedisTestEnvironment;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionCommandTests
{
    private IRedisConnection _connection = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync();

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Test]
    public async Task SetGetDel_BinaryValue_RoundTripsEveryByte()
    {
        var key = UniqueKey();
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n$-1\r\n"u8.ToArray()).ToArray();

        var set = await _connection.ExecuteAsync(new RedisCommand("SET", key, value));
        var get = await _connection.ExecuteAsync(new RedisCommand("GET", key));
        var deleted = await _connection.ExecuteAsync(new RedisCommand("DEL", key));
        var missing = await _connection.ExecuteAsync(new RedisCommand("GET", key));

        Assert.Multiple(() =>
        {
            Assert.That(set.AsString(), Is.EqualTo("OK"));
            Assert.That(get.AsBytes(), Is.EqualTo(value));
            Assert.That(deleted.AsInt64(), Is.EqualTo(1));
            Assert.That(missing.IsNull, Is.True);
        });
    }

    [Test]
    public async Task Get_LargeValue_RoundTrips()
    {
        var key = UniqueKey();
        var value = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(value);

        await _connection.ExecuteAsync(new RedisCommand("SET", key, value));
        var get = await _connection.ExecuteAsync(new RedisCommand("GET", key));

        Assert.That(get.AsBytes(), Is.EqualTo(value));
    }

    [Test]
    public async Task Mget_SomeKeysMissing_ReturnsValuesAndNullsInOrder()
    {
        var keys = Enumerable.Range(0, 5).Select(i => UniqueKey(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        await _connection.ExecuteAsync(new RedisCommand("MSET", keys[0], "zero", keys[2], new byte[] { 0, 2 }, keys[4], "vier-\u00e9"));

        var reply = await _connection.ExecuteAsync(new RedisCommand("MGET", [.. keys.Select(k => (RedisArgument)k)]));

        var items = reply.AsArray()!;
        Assert.Multiple(() =>
        {
            Assert.That(items, Has.Length.EqualTo(5));
            Assert.That(items[0].AsString(), Is.EqualTo("zero"));
            Assert.That(items[1].IsNull, Is.True);
            Assert.That(items[2].AsBytes(), Is.EqualTo(new byte[] { 0, 2 }));
            Assert.That(items[3].IsNull, Is.True);
            Assert.That(items[4].AsString(), Is.EqualTo("vier-\u00e9"));
        });
    }

    [Test]
    public async Task ExecuteAsync_ServerError_ThrowsServerExceptionWithServerText()
    {
        var key = UniqueKey();
        await _connection.ExecuteAsync(new RedisCommand("SET", key, "not a number"));

        var notInteger = Assert.ThrowsAsync<RedisServerException>(async () => await _connection.ExecuteAsync(new RedisCommand("INCR", key)));
        var wrongType = Assert.ThrowsAsync<RedisServerException>(async () => await _connection.ExecuteAsync(new RedisCommand("LPUSH", key, "x")));

        Assert.Multiple(() =>
        {
            Assert.That(notInteger!.Message, Does.Contain("INCR").And.Contain("ERR value is not an integer"));
            Assert.That(notInteger.ErrorPrefix, Is.EqualTo("ERR"));
            Assert.That(wrongType!.ErrorPrefix, Is.EqualTo("WRONGTYPE"));
        });
        Assert.That((await _connection.ExecuteAsync(new RedisCommand("GET", key))).AsString(), Is.EqualTo("not a number"));
    }

    [Test]
    public async Task ExecuteAsync_FiftyCallersTwoHundredCommandsEach_EveryCallerGetsItsOwnReplies()
    {
        var prefix = UniqueKey();

        var failures = await Task.WhenAll(Enumerable.Range(0, 50).Select(caller => Task.Run(async () =>
        {
            var wrong = 0;
            for (var i = 0; i < 200; i++)
            {
                var token = $"{caller}:{i}";
                if (i % 2 == 0)
                {
                    var echo = await _connection.ExecuteAsync(new RedisCommand("ECHO", token));
                    wrong += echo.AsString() == token ? 0 : 1;
                }
                else
                {
                    await _connection.ExecuteAsync(new RedisCommand("SET", $"{prefix}:{token}", token));
                    var get = await _connection.ExecuteAsync(new RedisCommand("GET", $"{prefix}:{token}"));
                    wrong += get.AsString() == token ? 0 : 1;
                }
            }

            return wrong;
        })));

        Assert.That(failures.Sum(), Is.Zero);
    }

    [Test]
    public async Task ExecuteBatchAsync_ThousandCommands_RepliesInOrder()
    {
        var key = UniqueKey();
        var commands = Enumerable.Range(0, 1000).Select(_ => new RedisCommand("INCR", key)).ToArray();

        var replies = await _connection.ExecuteBatchAsync(commands);

        Assert.That(replies.Select(r => r.AsInt64()), Is.EqualTo(Enumerable.Range(1, 1000).Select(i => (long)i)));
    }

    [Test]
    public async Task ExecuteBatchAsync_ConcurrentBatches_AreNotInterleaved()
    {
        var keys = Enumerable.Range(0, 8).Select(i => UniqueKey()).ToArray();

        var results = await Task.WhenAll(keys.Select(key => Task.Run(async () =>
            await _connection.ExecuteBatchAsync([new("SET", key, 10), new("INCR", key), new("INCR", key), new("GET", key)]))));

        Assert.That(results.Select(r => r[3].AsInt64()), Is.All.EqualTo(12));
    }

    [Test]
    public async Task ExecuteBatchAsync_MultiExec_RunsAtomicallyAndReturnsExecResults()
    {
        var key = UniqueKey();

        var replies = await _connection.ExecuteBatchAsync(
            [new("MULTI"), new("SET", key, 1), new("INCRBY", key, 41), new("GET", key), new("EXEC")]);

        Assert.Multiple(() =>
        {
            Assert.That(replies[0], Is.SameAs(RedisReply.Ok));
            Assert.That(replies[1..4], Is.All.SameAs(RedisReply.Queued));
            var exec = replies[4].AsArray()!;
            Assert.That(exec[0].AsString(), Is.EqualTo("OK"));
            Assert.That(exec[1].AsInt64(), Is.EqualTo(42));
            Assert.That(exec[2].AsString(), Is.EqualTo("42"));
        });
    }

    [Test]
    public async Task ExecuteBatchAsync_MultiWithUnknownCommand_ReturnsExecAbortErrorReply()
    {
        var replies = await _connection.ExecuteBatchAsync([new("MULTI"), new("SET", UniqueKey(), 1), new("NOSUCHCOMMAND"), new("EXEC")]);

        Assert.That(replies[2].IsError, Is.True);
        var exception = Assert.Throws<RedisServerException>(() => replies[3].AsArray());
        Assert.That(exception!.ErrorPrefix, Is.EqualTo("EXECABORT"));
    }

    [Test]
    public void ExecuteAsync_Multi_IsRefusedOutsideABatch() =>
        Assert.ThrowsAsync<ArgumentException>(async () => await _connection.ExecuteAsync(new RedisCommand("MULTI")));

    [Test]
    public async Task Select_DefaultDatabase_IsolatesKeys()
    {
        var key = UniqueKey();
        await using var one = await RedisTestEnvironment.ConnectAsync(o => o.DefaultDatabase = 1);
        await using var two = await RedisTestEnvironment.ConnectAsync(o => o.DefaultDatabase = 2);

        await one.ExecuteAsync(new RedisCommand("SET", key, "in one"));
        await two.ExecuteAsync(new RedisCommand("SET", key, "in two"));

        Assert.Multiple(async () =>
        {
            Assert.That((await one.ExecuteAsync(new RedisCommand("GET", key))).AsString(), Is.EqualTo("in one"));
            Assert.That((await two.ExecuteAsync(new RedisCommand("GET", key))).AsString(), Is.EqualTo("in two"));
            Assert.That((await _connection.ExecuteAsync(new RedisCommand("GET", key))).IsNull, Is.True);
        });
    }

    [Test]
    public async Task ConnectAsync_ClientName_IsSetOnTheServer()
    {
        await using var named = await RedisTestEnvironment.ConnectAsync(o => o.ClientName = "stockpile-test");

        var name = await named.ExecuteAsync(new RedisCommand("CLIENT", "GETNAME"));

        Assert.That(name.AsString(), Is.EqualTo("stockpile-test"));
    }

    [Test]
    public async Task ExecuteAsync_UnicodeText_IsSentAsUtf8()
    {
        var reply = await _connection.ExecuteAsync(new RedisCommand("ECHO", "na\u00efve \u2603"));

        Assert.That(reply.AsBytes(), Is.EqualTo(Encoding.UTF8.GetBytes("na\u00efve \u2603")));
    }
}
