using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps Product only: Customer is not mapped.</summary>
public sealed class ProductsOnlyDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e =>
        {
            e.ToTable("Products");
            e.Property(p => p.Id).ValueGeneratedNever();
            e.HasIndex(p => p.Sku).IsUnique();
        });
    }
}
