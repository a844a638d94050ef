using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.DependencyInjection;

/// <summary>Where the multiplexer comes from, who disposes it, and that no password reaches a log line or an exception of ours.</summary>
public sealed class RedisConnectionOwnershipTests
{
    private const string Secret = "S3cret-Pa55";

    [Test]
    public async Task AddRedisStore_NoArguments_UsesTheContainersMultiplexer_AndNeverDisposesIt()
    {
        await using var multiplexer = await RedisTestEnvironment.ConnectAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(multiplexer);
        services.AddStockpile().AddMemoryStore().AddRedisStore().AddRedisBackplane();
        var product = TestStores.NewProduct();
        await using (var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }))
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            await provider.GetRequiredService<ChainedStore>().PutAsync(product);
            Assert.That(await provider.GetRequiredService<RedisLink>().GetMultiplexerAsync(default), Is.SameAs(multiplexer));
        }

        Assert.That(multiplexer.IsConnected, Is.True, "the container's multiplexer outlives the provider");
        Assert.That(await multiplexer.GetDatabase().KeyExistsAsync(TestStores.KeyOf("stockpile:", EntityKey.For<Product>(product.Id))), Is.True, "the store wrote through the container's multiplexer");
    }

    [Test]
    public async Task AddRedisStore_ConfigurationString_OwnsTheMultiplexerItMakes()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(RedisTestEnvironment.ConnectionString + ",allowAdmin=true,connectRetry=5,abortConnect=true");
        IConnectionMultiplexer made;
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            await provider.GetRequiredService<ChainedStore>().PutAsync(TestStores.NewProduct());
            made = await provider.GetRequiredService<RedisLink>().GetMultiplexerAsync(default);
            Assert.That(made.IsConnected, Is.True);
            Assert.That(made.Configuration, Does.Contain("allowAdmin=True").And.Contain("connectRetry=5"), "every key the package parses reaches it");
        }

        Assert.That(made.IsConnected, Is.False, "the multiplexer Stockpile made is disposed with the container");
    }

    [Test]
    public async Task AddRedisStore_ConfigurationSection_BindsTheOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stockpile:Redis:Configuration"] = RedisTestEnvironment.ConnectionString,
            ["Stockpile:Redis:KeyPrefix"] = "bound:",
            ["Stockpile:Redis:MaximumValueBytes"] = "1000",
            ["Stockpile:Redis:CircuitBreaker:FailureThreshold"] = "9",
        }).Build();
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(configuration.GetSection("Stockpile:Redis"));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.KeyPrefix, Is.EqualTo("bound:"));
            Assert.That(options.MaximumValueBytes, Is.EqualTo(1000));
            Assert.That(options.CircuitBreaker.FailureThreshold, Is.EqualTo(9));
            Assert.That(provider.GetRequiredService<RedisStore>().KeyPrefixForTests, Is.EqualTo("bound:"));
        });
    }

    [Test]
    public void AddRedisStore_NoServerAndNoMultiplexerInTheContainer_FailsOnStartNamingTheWays()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("Configuration").And.Contain("IConnectionMultiplexer"));
    }

    [TestCase("user:" + Secret + "@127.0.0.1:1")]
    [TestCase(Secret + "@127.0.0.1:1")]
    [TestCase("127.0.0.1:1,password=" + Secret + ",nonsense=1")]
    public void CredentialsInAnyForm_MalformedConfiguration_NeverEchoThePassword(string configuration)
    {
        using var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddStockpile().AddMemoryStore().AddRedisStore(configuration);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.ToString(), Does.Not.Contain(Secret));
        Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains(Secret));
    }

    [TestCase("redis://app:" + Secret + "@127.0.0.1:1")]
    [TestCase("127.0.0.1:1,user=app,password=" + Secret)]
    public async Task CredentialsInAnyForm_ServerUnreachable_NoLogOrExceptionHoldsThePassword(string configuration)
    {
        using var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddStockpile(o => o.ThrowOnCacheReadFailure = true).AddMemoryStore().AddRedisStore(o =>
        {
            // Nothing ever connects: until the breaker opens, each call waits in StackExchange.Redis's backlog for the
            // whole syncTimeout (5 s by default; it bounds the backlog of async calls too) before it fails. A URL
            // cannot carry timeouts.
            o.Configuration = configuration + (configuration.StartsWith("redis", StringComparison.Ordinal) ? string.Empty : ",connectTimeout=200,syncTimeout=200");
            o.ThrowOnUnavailableWrites = true;
            o.CircuitBreaker.FailureThreshold = 2;
        }).AddRedisBackplane();
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var redis = provider.GetRequiredService<RedisStore>();

        var failures = new List<Exception>();
        for (var i = 0; i < 4; i++)
        {
            try
            {
                await redis.PutAsync(TestStores.NewProduct());
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }

            try
            {
                await redis.GetAsync<Product, int>(1);
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        Assert.That(failures, Has.Count.EqualTo(8), "Redis is unreachable: every call fails");
        Assert.That(failures.Select(f => f.ToString()), Has.None.Contains(Secret));
        Assert.That(logs.Entries, Is.Not.Empty);
        Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains(Secret));
    }
}
