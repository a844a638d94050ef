using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisConnectionTlsTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RedisServer.StartAsync(new RedisServerOptions { Tls = true, Password = "tls-pw" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task ConnectAsync_TlsWithPinnedCertificate_RoundTrips()
    {
        var options = RedisConnectionOptions.Parse(_server.Url);
        options.CertificateValidation = _server.IsOwnCertificate;
        await using var connection = await RedisConnection.ConnectAsync(options);

        await connection.ExecuteAsync(new RedisCommand("SET", "tls-key", new byte[] { 1, 2, 3 }));
        var reply = await connection.ExecuteAsync(new RedisCommand("GET", "tls-key"));

        Assert.That(options.Ssl, Is.True);
        Assert.That(reply.AsBytes(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void ConnectAsync_TlsWithUntrustedCertificate_ThrowsConnectionException()
    {
        var options = RedisConnectionOptions.Parse(_server.ConnectionString);

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisConnection.ConnectAsync(options));

        Assert.That(exception!.InnerException, Is.InstanceOf<System.Security.Authentication.AuthenticationException>());
    }

    [Test]
    public void ConnectAsync_PlainTextToTlsPort_ThrowsCouldNotConnect()
    {
        var options = RedisConnectionOptions.Parse(_server.ConnectionString);
        options.Ssl = false;
        options.ConnectTimeout = TimeSpan.FromMilliseconds(300);

        var exception = Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisConnection.ConnectAsync(options));

        Assert.That(exception!.Message, Does.Contain("Could not connect"));
    }
}
