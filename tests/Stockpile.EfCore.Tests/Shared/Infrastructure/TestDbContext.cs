using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps the shared test entities, with a unique index for every alternate key.</summary>
public class TestDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<OrderLine> OrderLines => Set<OrderLine>();

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Automobile> Automobiles => Set<Automobile>();

    public DbSet<Warehouse> Warehouses => Set<Warehouse>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(e =>
        {
            e.Property(p => p.Id).ValueGeneratedNever();
            e.HasIndex(p => p.Sku).IsUnique();
            e.Property(p => p.Price).HasPrecision(18, 2);
        });
        modelBuilder.Entity<OrderLine>(e =>
        {
            e.HasKey(l => new { l.OrderId, l.LineNumber });
            e.HasIndex(l => l.LineId).IsUnique();
        });
        modelBuilder.Entity<Customer>(e =>
        {
            e.HasKey(c => c.Code);
            e.HasIndex(c => c.Email).IsUnique();
        });
        modelBuilder.Entity<Automobile>(e =>
        {
            e.Property(a => a.Id).ValueGeneratedNever();
            e.HasDiscriminator<string>("Kind").HasValue<Automobile>("automobile").HasValue<Car>("car").HasValue<Truck>("truck");
        });
        modelBuilder.Entity<Car>().HasIndex(c => c.Vin).IsUnique();
        modelBuilder.Entity<Truck>();
        modelBuilder.Entity<Warehouse>(e =>
        {
            e.Property(w => w.Id).ValueGeneratedNever();
            e.HasIndex(w => w.Code).IsUnique();
        });
    }
}
