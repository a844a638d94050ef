using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks;

/// <summary>
/// What the invalidation outbox costs a save: <c>SaveChanges</c> of <see cref="Rows"/> modified rows (loaded tracked,
/// one column changed) with the Stockpile interceptor keeping a memory chain in sync, the outbox off against on (one
/// <c>INSERT</c> inside the commit, which a save of one row otherwise runs without a transaction, and one <c>DELETE</c>
/// after it). SQLite file in WAL mode; both sides on the same database and context type. The paired form, sides in
/// turn, is <see cref="OutboxSaveRun"/>.
/// </summary>
[MemoryDiagnoser]
public class OutboxSaveBenchmarks
{
    private const int Products = 1_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("stockpile-bench-outbox-").FullName;
    private ServiceProvider _off = null!;
    private ServiceProvider _on = null!;
    private int _round;

    [Params(1, 100)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "bench.db") }.ToString();
        using (var context = new BenchOutboxDbContext(new DbContextOptionsBuilder<BenchOutboxDbContext>().UseSqlite(connectionString).Options))
        {
            context.Database.EnsureCreated();
            context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            context.Products.AddRange(Enumerable.Range(0, Products).Select(static i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }));
            context.SaveChanges();
        }

        _off = Services(connectionString, outbox: false);
        _on = Services(connectionString, outbox: true);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _off.DisposeAsync();
        await _on.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "interceptor, outbox off")]
    public Task<int> OutboxOff() => SaveAsync(_off);

    [Benchmark(Description = "interceptor, outbox on")]
    public Task<int> OutboxOn() => SaveAsync(_on);

    private static ServiceProvider Services(string connectionString, bool outbox)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<BenchOutboxDbContext>((sp, o) => o.UseSqlite(connectionString).AddStockpileInterceptor(sp));
        var stockpile = services.AddStockpile().AddMemoryStore().AddEfCoreStore<BenchOutboxDbContext>();
        if (outbox)
        {
            // The hosted drainer is not started: only the commit's own work is measured.
            stockpile.AddOutbox<BenchOutboxDbContext>();
        }

        return services.BuildServiceProvider();
    }

    private async Task<int> SaveAsync(ServiceProvider services)
    {
        var round = ++_round;
        await using var context = await services.GetRequiredService<IDbContextFactory<BenchOutboxDbContext>>().CreateDbContextAsync();
        var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
        foreach (var row in rows)
        {
            row.Name = $"Product {row.Id} r{round}";
        }

        return await context.SaveChangesAsync();
    }
}
