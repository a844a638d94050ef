using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps aggregates: owned types (nested, collections, JSON), a complex property, and a type with only a parameterized constructor.</summary>
public sealed class AggregateDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Shopper>(e =>
        {
            e.ToTable("Shoppers");
            e.Property(s => s.Id).ValueGeneratedNever();
            e.OwnsOne(s => s.Address, a => a.OwnsOne(x => x.Geo));
            e.OwnsMany(s => s.Phones, p =>
            {
                // A key of its own (not owner id + ordinal): SQLite generates values only for a single-column key.
                p.ToTable("ShopperPhones");
                p.Property<int>("Id");
                p.HasKey("Id");
            });
            e.OwnsOne(s => s.Preferences, p =>
            {
                p.ToJson();
                p.OwnsMany(x => x.Alerts);
            });
            e.ComplexProperty(s => s.Budget, b => b.Property(m => m.Amount).HasPrecision(18, 2));
        });
        modelBuilder.Entity<Sticker>(e =>
        {
            e.ToTable("Stickers");
            e.Property(s => s.Id).ValueGeneratedNever();
        });
    }
}
