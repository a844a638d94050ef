using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>The database of the full-chain tests: the contract suite's entities and <see cref="Row"/>, each alternate key a unique index.</summary>
public sealed class RowDbContext(DbContextOptions<RowDbContext> options) : DbContext(options)
{
    public DbSet<Row> Rows => Set<Row>();

    public DbSet<TenantOrder> TenantOrders => Set<TenantOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Row>(e =>
        {
            e.Property(r => r.Id).ValueGeneratedNever();
            e.HasIndex(r => r.Code).IsUnique();
        });
        modelBuilder.Entity<Product>(e =>
        {
            e.Property(p => p.Id).ValueGeneratedNever();
            e.HasIndex(p => p.Sku).IsUnique();
            e.Property(p => p.Price).HasConversion<double>();
        });
        modelBuilder.Entity<OrderLine>(e =>
        {
            e.HasKey(l => new { l.OrderId, l.LineNumber });
            e.HasIndex(l => l.LineId).IsUnique();
        });
        modelBuilder.Entity<TenantOrder>(e =>
        {
            e.Property(o => o.Id).ValueGeneratedNever();
            e.HasIndex(o => o.Number).IsUnique();
        });
        modelBuilder.Entity<Customer>(e =>
        {
            e.HasKey(c => c.Code);
            e.HasIndex(c => c.Email).IsUnique();
        });
    }
}
