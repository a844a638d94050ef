using Microsoft.EntityFrameworkCore;

namespace Stockpile.Benchmarks;

/// <summary>The products of <see cref="BenchDbContext"/>, with Stockpile's outbox table in the model (as an app's migration would add it).</summary>
public sealed class BenchOutboxDbContext(DbContextOptions<BenchOutboxDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e =>
        {
            e.Property(p => p.Id).ValueGeneratedNever();
            e.HasIndex(p => p.Sku).IsUnique();
            e.Property(p => p.Price).HasConversion<double>();
        });
        modelBuilder.AddStockpileOutbox();
    }
}
