using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps <see cref="Stamp"/>, one column as <c>timestamp without time zone</c>.</summary>
public sealed class StampDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Stamp>(e =>
        {
            e.ToTable("PgStamps");
            e.Property(s => s.Id).ValueGeneratedNever();
            e.Property(s => s.Wall).HasColumnType("timestamp without time zone");
        });
}
