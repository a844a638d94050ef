using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionAuthTests
{
    private const string DefaultPassword = "d3fault-P@ss,w:rd";
    private const string AclUser = "stockpile-app";
    private const string AclPassword = "acl-S3cret%value";
    private const string WrongPassword = "wr0ng-guess-9183";

    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _server = await RedisServer.StartAsync(new RedisServerOptions
        {
            Password = DefaultPassword,
            AclUser = AclUser,
            AclPassword = AclPassword,
        });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task ConnectAsync_DefaultUserPasswordInUrl_Authenticates()
    {
        await using var connection = await RedisConnection.ConnectAsync(RedisConnectionOptions.Parse(_server.Url));

        var whoami = await connection.ExecuteAsync(new RedisCommand("ACL", "WHOAMI"));

        Assert.That(whoami.AsString(), Is.EqualTo("default"));
    }

    [Test]
    public async Task ConnectAsync_AclUser_AuthenticatesAsThatUser()
    {
        await using var connection = await RedisConnection.ConnectAsync(Options(AclUser, AclPassword));

        var whoami = await connection.ExecuteAsync(new RedisCommand("ACL", "WHOAMI"));

        Assert.That(whoami.AsString(), Is.EqualTo(AclUser));
    }

    [TestCase(null)]
    [TestCase(AclUser)]
    public void ConnectAsync_WrongPassword_ThrowsClearErrorWithoutThePassword(string? user)
    {
        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () =>
            await RedisConnection.ConnectAsync(Options(user, WrongPassword)));

        Assert.That(exception!.Message, Does.Contain("AUTH").And.Contain("WRONGPASS"));
        Assert.That(exception.InnerException, Is.InstanceOf<RedisServerException>());
        Assert.That(exception.ToString(), Does.Not.Contain(WrongPassword));
    }

    [Test]
    public void ConnectAsync_NoPassword_ThrowsNoAuth()
    {
        var options = Options(null, null);

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisConnection.ConnectAsync(options));

        Assert.That(exception!.Message, Does.Contain("NOAUTH"));
    }

    [Test]
    public async Task Logs_WrongPasswordRetriedInBackground_NeverContainThePassword()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        var options = Options(AclUser, WrongPassword);
        options.AbortOnConnectFail = false;
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(50);

        await using (var connection = await RedisConnection.ConnectAsync(options, factory))
        {
            await Task.Delay(300);
            var failure = Assert.ThrowsAsync<RedisConnectionException>(async () => await connection.ExecuteAsync(new RedisCommand("PING")));
            Assert.That(failure!.ToString(), Does.Not.Contain(WrongPassword));
        }

        Assert.That(logs.Entries.Count(e => e.EventId.Id == Log.ReconnectAttemptFailedId), Is.GreaterThan(1));
        Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains(WrongPassword));
        Assert.That(options.ToString(), Does.Not.Contain(WrongPassword));
    }

    private RedisConnectionOptions Options(string? user, string? password) => new()
    {
        Host = RedisServer.Host,
        Port = _server.Port,
        User = user,
        Password = password,
    };
}
