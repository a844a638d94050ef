using Microsoft.EntityFrameworkCore;

namespace Stockpile.Benchmarks;

/// <summary>The EF Core benchmarks' database: products, with a unique index on the SKU.</summary>
public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Product>(e =>
    {
        e.Property(p => p.Id).ValueGeneratedNever();
        e.HasIndex(p => p.Sku).IsUnique();
        e.Property(p => p.Price).HasConversion<double>();
    });
}
