using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Internal.Tokens;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Tokens;

namespace Stockpile.Tests.Tokens;

/// <summary>The key builder with its tokens in the process memory (no Redis); every builder of a test shares the one container's tokens.</summary>
[TestFixture]
public sealed class MemoryKeyBuilderTests : KeyBuilderContractTests
{
    private ServiceProvider? _provider;

    [TearDown]
    public async Task TearDownAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
            _provider = null;
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<IStockpileKeyBuilder> CreateBuilderAsync()
    {
        if (_provider is null)
        {
            var services = new ServiceCollection();
            services.AddStockpile().AddMemoryStore().AddInvalidationTokens();
            _provider = services.BuildServiceProvider();
        }

        return new ValueTask<IStockpileKeyBuilder>(_provider.GetRequiredService<IStockpileKeyBuilder>());
    }

    [Test]
    public async Task BuildAsync_TokenUntouchedForItsLifetime_MadeAgainWithANewValue()
    {
        var time = new FakeTimeProvider();
        var builder = new StockpileKeyBuilder(new MemoryTokenStore(time, TimeSpan.FromMinutes(10)));
        var key = StockpileKey.For("page").WithId<Product>(1);
        var first = await builder.BuildAsync(key);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.That(await builder.BuildAsync(key), Is.EqualTo(first));

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.That(await builder.BuildAsync(key), Is.EqualTo(first), "issue 11: each read gives the tokens their full lifetime again");

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.That(await builder.BuildAsync(key), Is.Not.EqualTo(first), "untouched for a lifetime: made anew, so the key changes");
    }

    [Test]
    public async Task BuildAsync_StoreFails_NeverUsedKey_NoException()
    {
        var store = new FailingTokenStore { FailReads = true };
        var builder = new StockpileKeyBuilder(store);
        var key = StockpileKey.For("page").WithId<Product>(1);

        var first = await builder.BuildAsync(key);
        var second = await builder.BuildAsync(key);

        Assert.That(first, Does.StartWith("page:~"));
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task BumpAsync_Failed_RetriedBeforeTheNextKey_WhichIsAMissUntilThen()
    {
        var store = new FailingTokenStore { Inner = new MemoryTokenStore(TimeProvider.System, TimeSpan.FromDays(1)) };
        var builder = new StockpileKeyBuilder(store);
        var key = StockpileKey.For("page").WithId<Product>(1);
        var before = await builder.BuildAsync(key);

        store.FailBumps = true;
        Assert.ThrowsAsync<InvalidOperationException>(async () => await builder.InvalidateAsync(key));
        var whileUnbumped = await builder.BuildAsync(key);
        store.FailBumps = false;
        var after = await builder.BuildAsync(key);

        Assert.That(whileUnbumped, Does.StartWith("page:~"), "the token the failed bump names may be stale: the key must miss");
        Assert.That(after, Is.Not.EqualTo(before), "the retried bump changed the token");
        Assert.That(await builder.BuildAsync(key), Is.EqualTo(after));
    }

    [Test]
    public void AddInvalidationTokens_TokenLifetimeNotPositive_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddInvalidationTokens(o => o.TokenLifetime = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IStockpileKeyBuilder>());
    }

    private sealed class FailingTokenStore : TokenStore
    {
        public TokenStore? Inner { get; init; }

        public bool FailReads { get; set; }

        public bool FailBumps { get; set; }

        public override ValueTask<string[]?> GetAsync(IReadOnlyList<string> names, CancellationToken cancellationToken) =>
            FailReads || Inner is null ? throw new InvalidOperationException("tokens unreachable") : Inner.GetAsync(names, cancellationToken);

        public override ValueTask BumpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
            FailBumps || Inner is null ? throw new InvalidOperationException("tokens unreachable") : Inner.BumpAsync(names, cancellationToken);
    }
}
