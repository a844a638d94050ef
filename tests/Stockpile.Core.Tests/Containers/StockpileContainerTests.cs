using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Containers;

/// <summary>Issue 11: named value-generator containers, each with its own cache, lifetime (written as text) and generator.</summary>
[TestFixture]
public sealed class StockpileContainerTests
{
    private readonly FakeTimeProvider _time = new();

    private ServiceProvider Build(Action<IStockpileBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<Counter>();
        configure(services.AddStockpile());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static Func<IServiceProvider, string, CancellationToken, ValueTask<string>> Generator(Gate? gate = null) => async (sp, key, ct) =>
    {
        var run = sp.GetRequiredService<Counter>().Next();
        if (gate is not null)
        {
            await gate.PassAsync();
        }

        return $"{key} made by run {run}";
    };

    [Test]
    public async Task GetAsync_ConcurrentMisses_RunTheGeneratorOnce_AndTheValueIsKept()
    {
        var gate = new Gate();
        await using var provider = Build(b => b.AddContainer("rates", Generator(gate)));
        var rates = provider.GetRequiredKeyedService<IStockpileContainer>("rates");

        var readers = Enumerable.Range(0, 16).Select(_ => rates.GetAsync<string>("EUR").AsTask()).ToArray();
        await gate.WaitUntilEnteredAsync();
        gate.Release();
        var values = await Task.WhenAll(readers);

        Assert.That(values, Is.All.EqualTo("EUR made by run 1"));
        Assert.That(await rates.GetAsync<string>("EUR"), Is.EqualTo("EUR made by run 1"));
        Assert.That(provider.GetRequiredService<Counter>().Runs, Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_LifetimeAsText_ValueMadeAgainOnceItEnds()
    {
        await using var provider = Build(b => b.AddContainer("rates", Generator(), o => o.Lifetime = "5 sec"));
        var rates = provider.GetRequiredService<IStockpileContainerProvider>().GetContainer("rates");
        Assert.That(await rates.GetAsync<string>("EUR"), Is.EqualTo("EUR made by run 1"));

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(await rates.GetAsync<string>("EUR"), Is.EqualTo("EUR made by run 1"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await rates.GetAsync<string>("EUR"), Is.EqualTo("EUR made by run 2"));
        Assert.That(rates.Lifetime, Is.EqualTo(ObjectLifetime.For(TimeSpan.FromSeconds(5))));
    }

    [Test]
    public async Task GetAsync_LifetimeZero_NeverEnds()
    {
        await using var provider = Build(b => b.AddContainer("rates", Generator(), o => o.Lifetime = "0"));
        var rates = provider.GetRequiredKeyedService<IStockpileContainer>("rates");
        await rates.GetAsync<string>("EUR");

        _time.Advance(TimeSpan.FromDays(3650));

        Assert.That(await rates.GetAsync<string>("EUR"), Is.EqualTo("EUR made by run 1"));
        Assert.That(rates.Lifetime, Is.EqualTo(ObjectLifetime.Never));
    }

    [Test]
    public async Task AddContainer_BoundFromConfiguration_LifetimeTextAndNamedCache()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stockpile:Containers:settings:Lifetime"] = "2 hours",
            ["Stockpile:Containers:settings:Cache"] = "shared",
            ["Stockpile:Containers:flags:Lifetime"] = "00:05:00",
            ["Stockpile:Containers:rates:Lifetime"] = "1 day",
        }).Build();
        await using var provider = Build(b => b
            .AddCache("shared")
            .AddContainer("settings", o => configuration.GetSection("Stockpile:Containers:settings").Bind(o))
            .AddContainer("flags", o => configuration.GetSection("Stockpile:Containers:flags").Bind(o))
            .AddContainer("rates", Generator(), o => configuration.GetSection("Stockpile:Containers:rates").Bind(o)));
        var containers = provider.GetRequiredService<IStockpileContainerProvider>();

        await containers.GetContainer("settings").SetAsync("theme", "dark");

        Assert.That(containers.Names, Is.EquivalentTo(new[] { "settings", "flags", "rates" }));
        Assert.That(containers.GetContainer("settings").Lifetime.Duration, Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(containers.GetContainer("flags").Lifetime.Duration, Is.EqualTo(TimeSpan.FromMinutes(5)));
        Assert.That(containers.GetContainer("rates").Lifetime.Duration, Is.EqualTo(TimeSpan.FromDays(1)));
        Assert.That(await provider.GetRequiredKeyedService<IStockpileCache>("shared").GetAsync<string>("settings:theme"), Is.EqualTo("dark"), "kept in the named cache, under the container's name");
    }

    [Test]
    public async Task AddContainers_Section_RegistersEachChild()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Containers:settings:Lifetime"] = "10 min",
            ["Containers:flags:Lifetime"] = "0",
        }).Build();
        await using var provider = Build(b => b.AddContainers(configuration.GetSection("Containers")));
        var containers = provider.GetRequiredService<IStockpileContainerProvider>();

        Assert.That(containers.Names, Is.EquivalentTo(new[] { "settings", "flags" }));
        Assert.That(containers.GetContainer("settings").Lifetime.Duration, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(containers.GetContainer("flags").Lifetime, Is.EqualTo(ObjectLifetime.Never));
        Assert.That(containers.GetContainer("flags").HasGenerator, Is.False);
    }

    [Test]
    public async Task GetAsync_NoGenerator_Miss_ThrowsNotFoundNamingContainerAndKey_AStoredValueIsRead()
    {
        await using var provider = Build(b => b.AddContainer("settings"));
        var settings = provider.GetRequiredKeyedService<IStockpileContainer>("settings");

        var error = Assert.ThrowsAsync<StockpileContainerKeyNotFoundException>(async () => await settings.GetAsync<string>("theme"));
        Assert.That(error!.ContainerName, Is.EqualTo("settings"));
        Assert.That(error.Key, Is.EqualTo("theme"));
        Assert.That(error.Message, Does.Contain("'settings'").And.Contain("'theme'"));

        await settings.SetAsync("theme", "dark");
        Assert.That(await settings.GetAsync<string>("theme"), Is.EqualTo("dark"));
        Assert.That(await settings.RemoveAsync("theme"), Is.True);
        Assert.ThrowsAsync<StockpileContainerKeyNotFoundException>(async () => await settings.GetAsync<string>("theme"));
    }

    [Test]
    public void AddContainer_SameNameTwice_IsAClearError()
    {
        var builder = new ServiceCollection().AddStockpile().AddContainer("rates", Generator());

        var error = Assert.Throws<ArgumentException>(() => builder.AddContainer("rates"));
        Assert.That(error!.Message, Does.Contain("'rates'").And.Contain("already registered"));
    }

    [TestCase("5 parsecs")]
    [TestCase("5")]
    [TestCase("soon")]
    [TestCase("-1 day")]
    public void AddContainer_MalformedLifetime_IsAClearErrorNamingContainerAndText(string text)
    {
        var builder = new ServiceCollection().AddStockpile();

        var error = Assert.Throws<FormatException>(() => builder.AddContainer("rates", Generator(), o => o.Lifetime = text));
        Assert.That(error!.Message, Does.Contain("'rates'").And.Contain($"'{text}'"));
    }

    [Test]
    public async Task GetContainer_UnknownName_IsAClearErrorListingTheNames()
    {
        await using var provider = Build(b => b.AddContainer("rates", Generator()));

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStockpileContainerProvider>().GetContainer("rate"));
        Assert.That(error!.Message, Does.Contain("'rate'").And.Contain("'rates'"));
    }

    [Test]
    public async Task GetAsync_GeneratorFails_EveryCallerGetsIt_NothingKept_NextReadRunsAgain()
    {
        var fail = true;
        await using var provider = Build(b => b.AddContainer("rates", (sp, key, _) =>
        {
            sp.GetRequiredService<Counter>().Next();
            return fail ? throw new InvalidOperationException("rates service down") : new ValueTask<int>(42);
        }));
        var rates = provider.GetRequiredKeyedService<IStockpileContainer>("rates");

        Assert.ThrowsAsync<InvalidOperationException>(async () => await rates.GetAsync<int>("EUR"));
        fail = false;

        Assert.That(await rates.GetAsync<int>("EUR"), Is.EqualTo(42));
        Assert.That(provider.GetRequiredService<Counter>().Runs, Is.EqualTo(2));
    }

    [Test]
    public async Task GetAsync_TypeTheGeneratorDoesNotMake_IsAClearError()
    {
        await using var provider = Build(b => b.AddContainer("rates", Generator()));
        var rates = provider.GetRequiredKeyedService<IStockpileContainer>("rates");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await rates.GetAsync<int>("EUR"));
        Assert.That(error!.Message, Does.Contain("'rates'").And.Contain("'String'").And.Contain("'Int32'"));
    }

    private sealed class Counter
    {
        private int _runs;

        public int Runs => _runs;

        public int Next() => Interlocked.Increment(ref _runs);
    }
}
