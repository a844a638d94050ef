using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Benchmarks;

/// <summary>A SQLite file in a temporary folder (WAL mode) holding <see cref="Count"/> products.</summary>
public sealed class BenchDatabase : IDisposable
{
    public const int Count = 1_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("stockpile-bench-").FullName;

    public BenchDatabase()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "bench.db") }.ToString();
        using var context = new BenchDbContext(Options());
        context.Database.EnsureCreated();
        context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        context.Products.AddRange(Enumerable.Range(0, Count).Select(static i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }));
        context.SaveChanges();
    }

    public string ConnectionString { get; }

    public DbContextOptions<BenchDbContext> Options(Action<DbContextOptionsBuilder>? configure = null)
    {
        var builder = new DbContextOptionsBuilder<BenchDbContext>().UseSqlite(ConnectionString);
        configure?.Invoke(builder);
        return builder.Options;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
