using System.Net;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Internal;

/// <summary>What the options name, turned into StackExchange.Redis configuration options, with no password ever echoed.</summary>
public sealed class RedisConfigurationTests
{
    private const string Secret = "S3cret-Pa55";

    [Test]
    public void Parse_ConfigurationString_AcceptsEveryKeyThePackageDoes()
    {
        var options = RedisConfiguration.Parse($"127.0.0.1:6380,allowAdmin=true,connectRetry=7,abortConnect=false,user=app,password={Secret},ssl=true,defaultDatabase=2,asyncTimeout=250,name=shop");

        Assert.Multiple(() =>
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 6380)));
            Assert.That(options.AllowAdmin, Is.True);
            Assert.That(options.ConnectRetry, Is.EqualTo(7));
            Assert.That(options.AbortOnConnectFail, Is.False);
            Assert.That(options.User, Is.EqualTo("app"));
            Assert.That(options.Password, Is.EqualTo(Secret));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.DefaultDatabase, Is.EqualTo(2));
            Assert.That(options.AsyncTimeout, Is.EqualTo(250));
            Assert.That(options.ClientName, Is.EqualTo("shop"));
        });
    }

    [TestCase("redis://cache.local", "cache.local", 6379, null, null, false, null)]
    [TestCase("redis://:S3cret-Pa55@cache.local:6380/3", "cache.local", 6380, null, Secret, false, 3)]
    [TestCase("rediss://app:S3cret-Pa55@cache.local", "cache.local", 6379, "app", Secret, true, null)]
    [TestCase("redis://us%3Aer:p%40ss%2Cw%3Ard@cache.local:7000/0", "cache.local", 7000, "us:er", "p@ss,w:rd", false, 0)]
    [TestCase("redis://S3cret-Pa55@cache.local", "cache.local", 6379, null, Secret, false, null)]
    public void FromUrl_TranslatesToConfigurationOptions(string url, string host, int port, string? user, string? password, bool ssl, int? database)
    {
        var options = RedisConfiguration.Parse(url);

        Assert.Multiple(() =>
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint(host, port)));
            Assert.That(options.User, Is.EqualTo(user));
            Assert.That(options.Password, Is.EqualTo(password));
            Assert.That(options.Ssl, Is.EqualTo(ssl));
            Assert.That(options.SslHost, Is.EqualTo(ssl ? host : null));
            Assert.That(options.DefaultDatabase, Is.EqualTo(database));
        });
    }

    [Test]
    public void FromUrl_IPv6Loopback_IsAnIPEndPoint() =>
        Assert.That(RedisConfiguration.Parse("redis://[::1]:6390").EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 6390)));

    [TestCase("user:" + Secret + "@127.0.0.1:6379")]
    [TestCase(Secret + "@127.0.0.1:6379,ssl=true")]
    [TestCase("app:" + Secret + "@cache.local")]
    [TestCase("redis://app:" + Secret + "@cache.local:6379/not-a-database")]
    [TestCase("redis://app:" + Secret + "@cache.local:6379?ssl=true")]
    [TestCase("127.0.0.1:6379,password=" + Secret + ",nonsense=1")]
    [TestCase("127.0.0.1:6379,connectRetry=" + Secret + ",password=" + Secret)]
    public void Parse_Malformed_ThrowsWithoutEchoingThePassword(string configuration)
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisConfiguration.Parse(configuration));

        Assert.That(ex!.Message, Does.Not.Contain(Secret));
        Assert.That(ex.ToString(), Does.Not.Contain(Secret));
    }

    [Test]
    public void Resolve_MoreThanOneServer_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisConfiguration.Resolve(new RedisStoreOptions { Configuration = "localhost", ConfigurationOptions = new ConfigurationOptions() }));
        Assert.That(ex!.Message, Does.Contain("only one"));
    }

    [Test]
    public void KeepUnderPrefix_PackageDefaults_MoveUnderThePrefix_ValuesSetByTheCallerStay()
    {
        var defaults = ConfigurationOptions.Parse("127.0.0.1:6379");
        var chosen = ConfigurationOptions.Parse("127.0.0.1:6379,tiebreaker=,configChannel=ops:changed");

        RedisConfiguration.KeepUnderPrefix(defaults, "app:");
        RedisConfiguration.KeepUnderPrefix(chosen, "app:");

        Assert.Multiple(() =>
        {
            Assert.That(defaults.TieBreaker, Is.EqualTo("app:__Booksleeve_TieBreak"));
            Assert.That(defaults.ConfigurationChannel, Is.EqualTo("app:__Booksleeve_MasterChanged"));
            Assert.That(chosen.TieBreaker, Is.Empty, "turned off by the caller");
            Assert.That(chosen.ConfigurationChannel, Is.EqualTo("ops:changed"));
        });
    }
}
