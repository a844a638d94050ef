using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps a strongly typed id (value converter to Guid) and a key type Stockpile cannot encode.</summary>
public sealed class TypedIdDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PurchaseOrder>(e =>
        {
            e.ToTable("PurchaseOrders");
            e.Property(o => o.Id).HasConversion(id => id.Value, value => new OrderId(value)).ValueGeneratedNever();
            e.HasIndex(o => o.Number).IsUnique();
            e.Property(o => o.Total).HasPrecision(18, 2);
        });
        modelBuilder.Entity<Fingerprint>(e =>
        {
            e.ToTable("Fingerprints");
            e.HasKey(f => f.Hash);
        });
    }
}
