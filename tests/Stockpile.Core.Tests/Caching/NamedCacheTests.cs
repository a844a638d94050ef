using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Tests.Caching;

[TestFixture]
public sealed class NamedCacheTests
{
    [Test]
    public async Task AddCache_Named_ResolvesAsKeyedServices_AndThroughTheProvider_SeparateFromTheDefault()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddCache().AddCache("sessions").AddCache("reports", o => o.DefaultExpiration = TimeSpan.FromHours(1));
        await using var provider = services.BuildServiceProvider();

        var sessions = provider.GetRequiredKeyedService<IStockpileCache>("sessions");
        var reports = provider.GetRequiredService<IStockpileCacheProvider>().GetCache("reports");
        var defaultCache = provider.GetRequiredService<IStockpileCache>();
        await sessions.SetAsync("k", "session");
        await reports.SetAsync("k", "report");

        Assert.That(await sessions.GetAsync<string>("k"), Is.EqualTo("session"));
        Assert.That(await reports.GetAsync<string>("k"), Is.EqualTo("report"));
        Assert.That(await defaultCache.GetAsync<string>("k"), Is.Null);
        Assert.That(provider.GetRequiredKeyedService<HybridCache>("sessions"), Is.InstanceOf<StockpileHybridCache>());
        Assert.That(provider.GetRequiredService<IStockpileCacheProvider>().Names, Is.EquivalentTo(new[] { "sessions", "reports" }));
    }

    [Test]
    public async Task AddCaches_FromConfiguration_RegistersEachNamedCacheWithItsOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stockpile:Caches:sessions:DefaultExpiration"] = "00:00:30",
            ["Stockpile:Caches:reports:KeyPrefix"] = "rpt",
            ["Stockpile:Caches:reports:MaximumKeyLength"] = "4",
        }).Build();
        var services = new ServiceCollection();
        services.AddStockpile().AddCaches(configuration.GetSection("Stockpile:Caches"));
        await using var provider = services.BuildServiceProvider();

        var caches = provider.GetRequiredService<IStockpileCacheProvider>();
        await caches.GetCache("sessions").SetAsync("k", "v");

        Assert.That(caches.Names, Is.EquivalentTo(new[] { "sessions", "reports" }));
        Assert.That(await caches.GetCache("sessions").GetAsync<string>("k"), Is.EqualTo("v"));
        Assert.ThrowsAsync<ArgumentException>(async () => await caches.GetCache("reports").SetAsync("too long", 1), "MaximumKeyLength was bound");
    }

    [Test]
    public void AddCache_SameNameTwice_IsRefusedAtRegistration()
    {
        var builder = new ServiceCollection().AddStockpile().AddCache("sessions");

        var error = Assert.Throws<ArgumentException>(() => builder.AddCache("sessions"));
        Assert.That(error!.Message, Does.Contain("'sessions'"));
    }

    [Test]
    public async Task GetCache_UnknownName_IsAClearErrorListingTheNames()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddCache("sessions");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStockpileCacheProvider>().GetCache("sesions"));
        Assert.That(error!.Message, Does.Contain("'sesions'").And.Contain("'sessions'"));
    }

    [Test]
    public async Task AddCaches_DefaultExpirationAsLifetimeText_IsRead_WithTheOtherValues()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caches:sessions:DefaultExpiration"] = "5 min",
            ["Caches:sessions:MaximumKeyLength"] = "4",
            ["Caches:forever:DefaultExpiration"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddStockpile().AddCaches(configuration.GetSection("Caches"));
        await using var provider = services.BuildServiceProvider();
        var caches = provider.GetRequiredService<IStockpileCacheProvider>();
        await caches.GetCache("sessions").SetAsync("k", "v");
        await caches.GetCache("forever").SetAsync("k", "v");

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.That(await caches.GetCache("sessions").GetAsync<string>("k"), Is.EqualTo("v"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await caches.GetCache("sessions").GetAsync<string>("k"), Is.Null);
        time.Advance(TimeSpan.FromDays(3650));
        Assert.That(await caches.GetCache("forever").GetAsync<string>("k"), Is.EqualTo("v"), "\"0\" is never");
        Assert.ThrowsAsync<ArgumentException>(async () => await caches.GetCache("sessions").SetAsync("too long", 1), "MaximumKeyLength was bound beside the text");
    }

    [Test]
    public async Task AddCaches_DefaultExpirationMalformed_IsAClearErrorNamingCacheAndText()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caches:sessions:DefaultExpiration"] = "5 parsecs",
        }).Build();
        var services = new ServiceCollection();
        services.AddStockpile().AddCaches(configuration.GetSection("Caches"));
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<FormatException>(() => provider.GetRequiredService<IStockpileCacheProvider>().GetCache("sessions"));
        Assert.That(error!.Message, Does.Contain("'sessions'").And.Contain("'5 parsecs'"));
    }
}
