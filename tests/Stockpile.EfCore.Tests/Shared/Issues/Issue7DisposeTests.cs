using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Stores;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 7, item 12 (EF part): a disposed chain, or one that can no longer be resolved, never fails a save: the data
/// commits, the cache update is logged and skipped.
/// </summary>
[TestFixture]
public sealed class Issue7DisposeTests
{
    [Test]
    public async Task SaveChanges_ChainCannotBeResolved_SavesAndLogs()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddSingleton(logs.CreateFactory());
        services.AddSingleton<ChainedStore>(_ => throw new ObjectDisposedException(nameof(ChainedStore)));
        await using var provider = services.BuildServiceProvider();
        var factory = TestDatabase.Current.Factory<TestDbContext>(b => b.AddStockpileInterceptor(provider));
        var product = InterceptorChangeTests.NewProduct();

        await using (var context = factory.CreateDbContext())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        Assert.That(await CacheHarness.FromDatabaseAsync(product.Id), Is.Not.Null, "the save committed");
        Assert.That(logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Exception), Has.Some.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task SaveChanges_TierDisposed_SavesAndLogs()
    {
        var logs = new CapturingLoggerProvider();
        var source = new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>());
        var chain = new ChainedStore([new DisposedStore(), source]);
        var factory = TestDatabase.Current.Factory<TestDbContext>(b => b.AddStockpileInterceptor(chain, loggerFactory: logs.CreateFactory()));
        var product = InterceptorChangeTests.NewProduct();

        await using (var context = factory.CreateDbContext())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        Assert.That(await source.GetAsync<Product, int>(product.Id), Is.Not.Null, "the save committed");

        // The disposed tier is not process-local, so its eviction runs behind the save (the default): its failure is
        // logged once that has ended.
        await chain.SettledAsync();
        Assert.That(logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Exception), Has.Some.InstanceOf<ObjectDisposedException>());
    }
}
