namespace Stockpile.Redis.Tests;

[NonParallelizable]
public class RedisConnectionOptionsTests
{
    private const string Secret = "s3cr3t-P@ss";

    [Test]
    public void Parse_ConfigurationStringWithEveryKey_SetsEveryOption()
    {
        var options = RedisConnectionOptions.Parse(
            "cache.local:6380, user=app ,password=" + Secret + ",ssl=true,sslHost=redis.example,defaultDatabase=3," +
            "connectTimeout=1500,syncTimeout=250,keepAlive=10,abortConnect=false,name=stockpile-1,");

        Assert.Multiple(() =>
        {
            Assert.That(options.Host, Is.EqualTo("cache.local"));
            Assert.That(options.Port, Is.EqualTo(6380));
            Assert.That(options.User, Is.EqualTo("app"));
            Assert.That(options.Password, Is.EqualTo(Secret));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.SslHost, Is.EqualTo("redis.example"));
            Assert.That(options.DefaultDatabase, Is.EqualTo(3));
            Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
            Assert.That(options.SyncTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(options.KeepAlive, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.AbortOnConnectFail, Is.False);
            Assert.That(options.ClientName, Is.EqualTo("stockpile-1"));
        });
    }

    [TestCase("localhost", "localhost", 6379)]
    [TestCase("10.0.0.7:7000", "10.0.0.7", 7000)]
    [TestCase("[::1]:6390", "::1", 6390)]
    [TestCase("[::1]", "::1", 6379)]
    public void Parse_EndPoint_SplitsHostAndPort(string value, string host, int port)
    {
        var options = RedisConnectionOptions.Parse(value);

        Assert.That((options.Host, options.Port), Is.EqualTo((host, port)));
    }

    [Test]
    public void Parse_KeysInAnyCase_AreAccepted()
    {
        var options = RedisConnectionOptions.Parse("h,SSL=True,DefaultDatabase=2,SYNCTIMEOUT=10");

        Assert.That((options.Ssl, options.DefaultDatabase, options.SyncTimeout), Is.EqualTo((true, 2, TimeSpan.FromMilliseconds(10))));
    }

    [Test]
    public void Parse_UnknownKey_ThrowsNamingTheKeyAndTheSupportedOnes()
    {
        var exception = Assert.Throws<ArgumentException>(() => RedisConnectionOptions.Parse("localhost,allowAdmin=true"));

        Assert.That(exception!.Message, Does.Contain("'allowAdmin'").And.Contain("syncTimeout"));
    }

    [Test]
    public void Parse_PasswordWithComma_ThrowsWithoutEchoingAnyPartOfIt()
    {
        var exception = Assert.Throws<ArgumentException>(() => RedisConnectionOptions.Parse("localhost,password=abc,def=ghi,xyz"));

        Assert.That(exception!.Message, Does.Not.Contain("abc").And.Not.Contain("def").And.Not.Contain("ghi"));
        Assert.That(exception.Message, Does.Contain("percent-encoded"));
    }

    [TestCase("localhost,syncTimeout=soon")]
    [TestCase("localhost,ssl=yes")]
    [TestCase("localhost:99999")]
    [TestCase("localhost,defaultDatabase=-1")]
    [TestCase("a:1,b:2")]
    [TestCase("password=x")]
    [TestCase("localhost,user=alone")]
    [TestCase("localhost,name=has space")]
    public void Parse_MalformedValue_ThrowsArgumentException(string value) =>
        Assert.Throws<ArgumentException>(() => RedisConnectionOptions.Parse(value));

    [Test]
    public void Parse_UrlWithEncodedCredentials_DecodesUserAndPassword()
    {
        var options = RedisConnectionOptions.Parse("redis://my%20user:p%40ss%3Aw%2Frd%2C%25@cache.local:6381/4?name=app&syncTimeout=300");

        Assert.Multiple(() =>
        {
            Assert.That(options.User, Is.EqualTo("my user"));
            Assert.That(options.Password, Is.EqualTo("p@ss:w/rd,%"));
            Assert.That(options.Host, Is.EqualTo("cache.local"));
            Assert.That(options.Port, Is.EqualTo(6381));
            Assert.That(options.DefaultDatabase, Is.EqualTo(4));
            Assert.That(options.Ssl, Is.False);
            Assert.That(options.ClientName, Is.EqualTo("app"));
            Assert.That(options.SyncTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        });
    }

    [TestCase("rediss://h", true, 6379, null, null)]
    [TestCase("redis://:pw@h:1", false, 1, null, "pw")]
    [TestCase("redis://pw@h", false, 6379, null, "pw")]
    [TestCase("REDISS://u:pw@[::1]:7/", true, 7, "u", "pw")]
    public void Parse_UrlForms_ReadSchemeUserAndPassword(string url, bool ssl, int port, string? user, string? password)
    {
        var options = RedisConnectionOptions.Parse(url);

        Assert.That((options.Ssl, options.Port, options.User, options.Password), Is.EqualTo((ssl, port, user, password)));
    }

    [TestCase("redis://h/notanumber")]
    [TestCase("redis://h?bogus=1")]
    [TestCase("redis://")]
    public void Parse_MalformedUrl_ThrowsArgumentException(string url) =>
        Assert.Throws<ArgumentException>(() => RedisConnectionOptions.Parse(url));

    [Test]
    public void ToString_WithPassword_MasksItAndRoundTrips()
    {
        var options = RedisConnectionOptions.Parse("redis://app:" + Uri.EscapeDataString(Secret) + "@h:6390/2?name=n&abortConnect=false");

        var text = options.ToString();

        Assert.That(text, Does.Not.Contain(Secret).And.Contain("password=*****"));
        Assert.That(text, Is.EqualTo("h:6390,user=app,password=*****,defaultDatabase=2,name=n,abortConnect=false"));
        var reparsed = RedisConnectionOptions.Parse(text);
        Assert.That((reparsed.Host, reparsed.Port, reparsed.DefaultDatabase, reparsed.AbortOnConnectFail), Is.EqualTo(("h", 6390, 2, false)));
    }

    [Test]
    public void FromEnvironment_RedisUrlSet_ParsesIt()
    {
        var previous = Environment.GetEnvironmentVariable(RedisConnectionOptions.DefaultEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(RedisConnectionOptions.DefaultEnvironmentVariable, "rediss://:pw@env-host:6500/1");

            var options = RedisConnectionOptions.FromEnvironment();

            Assert.That((options.Host, options.Port, options.Ssl, options.Password, options.DefaultDatabase), Is.EqualTo(("env-host", 6500, true, "pw", 1)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RedisConnectionOptions.DefaultEnvironmentVariable, previous);
        }
    }

    [Test]
    public void FromEnvironment_VariableMissingOrInvalid_ThrowsInvalidOperationNamingIt()
    {
        const string Variable = "STOCKPILE_TEST_REDIS_URL_MISSING";
        try
        {
            Environment.SetEnvironmentVariable(Variable, null);
            Assert.That(() => RedisConnectionOptions.FromEnvironment(Variable), Throws.InvalidOperationException.With.Message.Contains(Variable));

            Environment.SetEnvironmentVariable(Variable, "redis://:" + Secret + "@h:1/x");
            var exception = Assert.Throws<InvalidOperationException>(() => RedisConnectionOptions.FromEnvironment(Variable));
            Assert.That(exception!.Message, Does.Contain(Variable).And.Not.Contain(Secret));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }
}
