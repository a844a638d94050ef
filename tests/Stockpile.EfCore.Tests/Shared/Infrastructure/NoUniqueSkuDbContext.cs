using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps Product without a unique index on Sku, which Stockpile declares as a key: a mismatch.</summary>
public sealed class NoUniqueSkuDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e => e.Property(p => p.Id).ValueGeneratedNever());
    }
}
