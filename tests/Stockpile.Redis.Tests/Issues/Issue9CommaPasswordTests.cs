using Microsoft.Extensions.Logging;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9: a password holding a comma, in a configuration string, was split by the parser (StackExchange.Redis has no
/// escape for it), and its tail read as a host name, which logs and connect errors then showed. Now the password is
/// written quoted (<c>password="…"</c>, <c>""</c> for a quote inside), or percent-encoded in a <c>redis://</c> URL; an
/// unquoted one that would be split is refused without echoing it.
/// </summary>
public sealed class Issue9CommaPasswordTests
{
    private const string Password = "Kq7v,Zr9x,\"Wm2j";
    private static readonly string[] Parts = ["Kq7v", "Zr9x", "Wm2j"];

    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RedisServer.StartAsync(new RedisServerOptions { Password = Password });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public void Parse_QuotedPassword_KeepsItsCommasAndQuotes()
    {
        var options = RedisConfiguration.Parse($"127.0.0.1:{_server.Port},password=\"Kq7v,Zr9x,\"\"Wm2j\",abortConnect=false");

        Assert.That(options.Password, Is.EqualTo(Password));
        Assert.That(options.EndPoints, Has.Count.EqualTo(1));
        Assert.That(options.AbortOnConnectFail, Is.False);
    }

    [Test]
    public async Task ConfigurationStringWithQuotedPassword_ConnectsToAServerRequiringIt_AndNoLogHoldsIt()
    {
        await AssertConnectsAsync($"127.0.0.1:{_server.Port},password=\"Kq7v,Zr9x,\"\"Wm2j\"");
    }

    [Test]
    public async Task UrlWithPercentEncodedPassword_ConnectsToAServerRequiringIt_AndNoLogHoldsIt()
    {
        await AssertConnectsAsync($"redis://:{Uri.EscapeDataString(Password)}@127.0.0.1:{_server.Port}");
    }

    [Test]
    public void UnquotedPasswordWithAComma_IsRefused_WithoutEchoingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisConfiguration.Parse($"127.0.0.1:{_server.Port},password=Kq7v,Zr9x,Wm2j"));

        Assert.That(ex!.Message, Does.Contain("quote"));
        Assert.That(ex.ToString(), Does.Not.Contain("Zr9x").And.Not.Contain("Wm2j"));
    }

    // syncTimeout bounds the backlog of async calls too: each put waits that long for a connection that never comes.
    [TestCase("127.0.0.1:1,password=\"Kq7v,Zr9x,\"\"Wm2j\",connectTimeout=200,asyncTimeout=300,syncTimeout=300")]
    [TestCase("127.0.0.1:1,password=\"Kq7v,Zr9x,\"\"Wm2j")]
    public async Task WrongOrUnreachable_NoLogOrExceptionHoldsAnyPartOfThePassword(string configuration)
    {
        using var logs = new CapturingLoggerProvider();
        var failures = new List<Exception>();
        try
        {
            await using var store = await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = configuration, KeyPrefix = TestStores.UniquePrefix(), ThrowOnUnavailableWrites = true }, logs.CreateFactory());
            for (var i = 0; i < 2; i++)
            {
                try
                {
                    await store.PutAsync(TestStores.NewProduct());
                }
                catch (Exception ex)
                {
                    failures.Add(ex);
                }
            }
        }
        catch (ArgumentException ex)
        {
            failures.Add(ex);
        }

        Assert.That(failures, Is.Not.Empty);
        foreach (var text in failures.Select(f => f.ToString()).Concat(logs.Entries.Select(e => e.ToString())))
        {
            Assert.That(Parts, Has.None.Matches<string>(part => text.Contains(part, StringComparison.Ordinal)), text);
        }
    }

    private static async Task AssertConnectsAsync(string configuration)
    {
        using var logs = new CapturingLoggerProvider();
        await using (var store = await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = configuration, KeyPrefix = TestStores.UniquePrefix() }, logs.CreateFactory()))
        {
            var product = TestStores.NewProduct();
            await store.PutAsync(product);

            Assert.That((await store.GetAsync<Testing.Entities.Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        }

        var lines = logs.Entries.Select(e => e.ToString()).ToList();
        Assert.That(lines, Has.None.Matches<string>(line => Parts.Any(part => line.Contains(part, StringComparison.Ordinal))));
        Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty, "connected at once");
    }
}
