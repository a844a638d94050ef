using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, the key layout: the store and the cache keep their own keys beside the objects, each named by the prefix
/// then a <c>#</c> marker (<c>prefix#clear:{…}</c>, <c>prefix#etag:{tag}</c>, <c>prefix#tokens:…</c>,
/// <c>prefix#cache:name:…</c>, and in a cache <c>…:#fence:{key}</c>, <c>…:#lock:{key}</c>). A second prefix that
/// reads as the first one plus a marker (<c>app:#etag:</c> beside <c>app:</c>) made its objects the first one's internal
/// keys: <c>app:#etag:{Order|Id|i:5}</c> was both an object and the set of the tag <c>Order|Id|i:5</c>. A prefix
/// holding <c>#</c> is now refused at start-up, by the options validation, with a message naming the option and the
/// prefix; so is a Redis cache's prefix.
/// </summary>
public sealed class Issue9KeyPrefixCollisionTests
{
    [TestCase("app:#clear:")]
    [TestCase("app:#etag:")]
    [TestCase("app:#tokens:")]
    [TestCase("app:#cache:orders:")]
    [TestCase("app#")]
    public void StorePrefixWithInternalMarker_FailsValidationOnStart(string prefix)
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(o =>
        {
            o.Configuration = RedisTestEnvironment.ConnectionString;
            o.KeyPrefix = prefix;
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("RedisStoreOptions.KeyPrefix").And.Contain("'#'").And.Contain($"'{prefix}'"));
    }

    [Test]
    public void StorePrefixWithInternalMarker_IsRefusedWithoutDependencyInjection()
    {
        var options = new RedisStoreOptions { Configuration = RedisTestEnvironment.ConnectionString, KeyPrefix = "app:#etag:" };

        var ex = Assert.ThrowsAsync<ArgumentException>(async () => await RedisStore.ConnectAsync(options));

        Assert.That(ex!.Message, Does.Contain("RedisStoreOptions.KeyPrefix").And.Contain("'app:#etag:'"));
    }

    [TestCase("orders:#fence")]
    [TestCase("orders:#lock")]
    [TestCase("orders:#tags")]
    [TestCase("orders{eu}")]
    public void CachePrefixWithInternalMarkerOrBrace_FailsValidationOnStart(string prefix)
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddRedisStore(RedisTestEnvironment.ConnectionString).AddRedisCache("orders", configure: o => o.KeyPrefix = prefix);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("cache 'orders'").And.Contain($"'{prefix}'"));
    }

    [Test]
    public void DefaultCachePrefixWithInternalMarker_FailsValidationOnStart()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddRedisStore(RedisTestEnvironment.ConnectionString).AddRedisCache(configure: o => o.KeyPrefix = "cache#flushed");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("default cache").And.Contain("'cache#flushed'"));
    }

    [Test]
    public void PrefixesWithoutMarker_PassValidation()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddRedisStore(o =>
        {
            o.Configuration = RedisTestEnvironment.ConnectionString;
            o.KeyPrefix = "shop:eu:";
        }).AddRedisCache(configure: o => o.KeyPrefix = "pages:v2").AddRedisCache("orders");
        using var provider = services.BuildServiceProvider();

        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }
}
