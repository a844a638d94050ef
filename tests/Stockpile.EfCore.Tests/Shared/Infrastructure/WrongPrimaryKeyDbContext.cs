using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Keys Product by Sku, where Stockpile declares Id: a mismatch.</summary>
public sealed class WrongPrimaryKeyDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e => e.HasKey(p => p.Sku));
    }
}
