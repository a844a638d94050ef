using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// The chain memory → memory (copying, standing in for Redis) → EF Core over any test context, with a factory of
/// application contexts that carry the Stockpile interceptor and one of plain contexts that carry none.
/// </summary>
/// <typeparam name="TContext">The context type; its tables are created on first use.</typeparam>
public sealed class ChainHarness<TContext>
    where TContext : DbContext
{
    private ChainHarness(EfCoreStoreOptions? storeOptions, Action<StockpileInterceptorOptions>? interceptor, Action<DbContextOptionsBuilder>? configure, ILoggerFactory? loggerFactory)
    {
        L1 = new MemoryStore(new MemoryStoreOptions { Name = "l1" });
        L2 = new MemoryStore(new MemoryStoreOptions { Name = "l2", CopyObjects = true });
        Plain = Database.Factory<TContext>(b => configure?.Invoke(b));
        Source = new EfCoreStore<TContext>(Plain, storeOptions, loggerFactory?.CreateLogger<EfCoreStore<TContext>>());
        Chain = new ChainedStore([L1, L2, Source]);
        App = Database.Factory<TContext>(b =>
        {
            configure?.Invoke(b);
            b.AddStockpileInterceptor(Chain, interceptor, loggerFactory);
        });
    }

    public static TestDatabase Database => TestDatabase.Current;

    public MemoryStore L1 { get; }

    public MemoryStore L2 { get; }

    public EfCoreStore<TContext> Source { get; }

    public ChainedStore Chain { get; }

    /// <summary>Gets contexts with the Stockpile interceptor.</summary>
    public TestContextFactory<TContext> App { get; }

    /// <summary>Gets contexts without it: writes around every cache, reads straight from the database.</summary>
    public TestContextFactory<TContext> Plain { get; }

    public IEnumerable<ObjectStore> Caches => [L1, L2];

    public static async Task<ChainHarness<TContext>> CreateAsync(EfCoreStoreOptions? storeOptions = null, Action<StockpileInterceptorOptions>? interceptor = null, Action<DbContextOptionsBuilder>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        await Database.EnsureTablesAsync<TContext>();
        return new ChainHarness<TContext>(storeOptions, interceptor, configure, loggerFactory);
    }
}
