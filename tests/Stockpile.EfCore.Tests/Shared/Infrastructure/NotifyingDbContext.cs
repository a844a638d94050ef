using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// Maps <see cref="Lamp"/> only, tracked by its change notifications: no entity type keeps snapshots, so EF Core never
/// runs <c>DetectChanges</c> (nor raises its events) for this model.
/// </summary>
public sealed class NotifyingDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasChangeTrackingStrategy(ChangeTrackingStrategy.ChangingAndChangedNotifications);
        modelBuilder.Entity<Lamp>(e =>
        {
            e.ToTable("Lamps");
            e.Property(l => l.Id).ValueGeneratedNever();
        });
    }
}
