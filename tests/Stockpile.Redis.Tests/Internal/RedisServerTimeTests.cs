using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Internal;

/// <summary>
/// The store's lease (a chain read's miss) and the cache's first write stamp both read the server's <c>TIME</c> reply;
/// they read it through one helper, which must agree with the scripts' own reading of <c>redis.call('TIME')</c>.
/// </summary>
public sealed class RedisServerTimeTests
{
    // What every script writes for a time (RedisScripts.Read's lease, the fences): seconds, then µs padded to six.
    private const string ScriptFormat = "return ARGV[1] .. string.format('%06d', tonumber(ARGV[2]))";

    private ConnectionMultiplexer _connection = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions());

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();

    [Test]
    public async Task Micros_ServerReply_IsTheServersClockInMicroseconds()
    {
        var database = _connection.GetDatabase();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

        var micros = RedisServerTime.Micros(await database.ExecuteAsync(RedisServerTime.Command));

        // The server runs on this machine: its clock and ours agree far better than a minute.
        Assert.That(micros, Is.InRange(before - 60_000_000, before + 60_000_000));
    }

    [Test]
    public async Task MicrosText_ServerReply_IsWhatTheScriptsWriteForIt()
    {
        var database = _connection.GetDatabase();
        var reply = await database.ExecuteAsync(RedisServerTime.Command);
        var parts = (RedisResult[])reply!;

        var scripted = (string?)await database.ScriptEvaluateAsync(ScriptFormat, [], [(string?)parts[0], (string?)parts[1]]);

        Assert.That(RedisServerTime.MicrosText(RedisServerTime.Micros(reply)), Is.EqualTo(scripted));
    }

    [TestCase("1700000000", "42", 1_700_000_000_000_042L)]
    [TestCase("1700000000", "0", 1_700_000_000_000_000L)]
    [TestCase("1700000000", "999999", 1_700_000_000_999_999L)]
    public async Task Micros_SmallMicroseconds_ArePaddedAsTheScriptsPadThem(string seconds, string micros, long expected)
    {
        var reply = RedisResult.Create([RedisResult.Create((RedisValue)seconds), RedisResult.Create((RedisValue)micros)]);
        var scripted = (string?)await _connection.GetDatabase().ScriptEvaluateAsync(ScriptFormat, [], [seconds, micros]);

        Assert.Multiple(() =>
        {
            Assert.That(RedisServerTime.Micros(reply), Is.EqualTo(expected));
            Assert.That(RedisServerTime.MicrosText(RedisServerTime.Micros(reply)), Is.EqualTo(scripted));
        });
    }

    [Test]
    public void Micros_NotATimeReply_ThrowsNamingTheCommand()
    {
        var notArray = RedisResult.Create((RedisValue)"1700000000");
        var oneItem = RedisResult.Create([RedisResult.Create((RedisValue)"1700000000")]);
        var badMicros = RedisResult.Create([RedisResult.Create((RedisValue)"1700000000"), RedisResult.Create((RedisValue)"1000000")]);

        Assert.Multiple(() =>
        {
            foreach (var reply in new[] { notArray, oneItem, badMicros })
            {
                Assert.That(() => RedisServerTime.Micros(reply), Throws.InvalidOperationException.With.Message.Contains("TIME"));
            }
        });
    }
}
