using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.DependencyInjection;

public sealed class RedisStockpileBuilderExtensionsTests
{
    [Test]
    public async Task AddRedisStore_AddsTheTierWhereCalled_AndTheBackplane()
    {
        var database = new FakeDatabase();
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(RedisTestEnvironment.ConnectionString).AddRedisBackplane().AddTier(_ => database);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var chain = provider.GetRequiredService<ChainedStore>();

        Assert.Multiple(() =>
        {
            Assert.That(chain.Tiers.Select(t => t.Name), Is.EqualTo(new[] { "memory", "redis", "database" }));
            Assert.That(chain.Tiers[1], Is.SameAs(provider.GetRequiredService<RedisStore>()));
            Assert.That(chain.Backplane, Is.TypeOf<RedisBackplane>());
            Assert.That(((RedisBackplane)chain.Backplane!).ChannelName, Is.EqualTo("stockpile:__invalidate"));
        });
    }

    [Test]
    public async Task ProviderDisposedSynchronously_DoesNotThrow()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(RedisTestEnvironment.ConnectionString).AddRedisBackplane();
        var provider = services.BuildServiceProvider();
        var chain = provider.GetRequiredService<ChainedStore>();
        await chain.PutAsync(TestStores.NewProduct());

        Assert.DoesNotThrow(provider.Dispose);
    }

    [TestCase(1, 1_000, 1_000, "FailureThreshold must be at least 2")]
    [TestCase(2, 100, 1_000, "SamplingDuration must be between")]
    [TestCase(2, 1_000, 100, "BreakDuration must be between")]
    [TestCase(2, 1_000, 100_000_000, "BreakDuration must be between")]
    public void CircuitBreakerOptionsPollyRefuses_FailValidationOnStart(int threshold, int samplingMs, int breakMs, string mentioned)
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(o =>
        {
            o.Configuration = RedisTestEnvironment.ConnectionString;
            o.CircuitBreaker.FailureThreshold = threshold;
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromMilliseconds(samplingMs);
            o.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(breakMs);
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain(mentioned));
    }

    [TestCase("", "Configuration")]
    [TestCase("localhost:6379,nonsense=1", "nonsense")]
    public void InvalidOptions_FailValidationOnStart(string configuration, string mentioned)
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(o =>
        {
            o.Configuration = configuration.Length == 0 ? null : configuration;
            o.KeyPrefix = "";
            o.CircuitBreaker.FailureThreshold = 0;
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain(mentioned).And.Contain("KeyPrefix").And.Contain("FailureThreshold"));
    }

    [Test]
    public async Task RedisDownAtStartup_AppServesFromTheOtherTiers_ThenUsesRedisWhenItIsUp()
    {
        await using var server = await RedisServer.StartAsync();
        await server.StopAsync();
        var database = new FakeDatabase();
        var product = TestStores.NewProduct();
        await database.PutAsync(product);
        await using var app = await AppInstance.StartAsync(server.ConnectionString, TestStores.UniquePrefix(), b => b.AddTier(_ => database), configureRedis: TestStores.FailFast);

        Assert.That((await app.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        await app.Chain.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "while down" });

        await server.StartAgainAsync();
        await RedisBackplaneTests.WaitUntilAsync(async () =>
        {
            await app.Memory.ClearAsync();
            await app.Chain.GetAsync<Product, int>(product.Id);
            try
            {
                return (await app.Redis.GetAsync<Product, int>(product.Id))?.Name == "while down";
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                // The store alone, unlike the chain, reports that Redis is away; or, just after the restart on a busy
                // machine, that its call waited in the multiplexer's backlog for the new connection past the timeout.
                return false;
            }
        }, TimeSpan.FromSeconds(20));
    }
}
