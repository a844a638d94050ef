using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps Gadget with Code unique, over a table (made by hand) that does not enforce it.</summary>
public sealed class GadgetDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Gadget>(e =>
        {
            e.ToTable("Gadgets");
            e.Property(g => g.Id).ValueGeneratedNever();
            e.HasIndex(g => g.Code).IsUnique();
        });
    }
}
