using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps <see cref="Shelf"/> and <see cref="Book"/>; its options turn lazy-loading proxies on.</summary>
public sealed class ProxyDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Shelf>(e =>
        {
            e.ToTable("Shelves");
            e.Property(s => s.Id).ValueGeneratedNever();
            e.HasIndex(s => s.Code).IsUnique();
        });
        modelBuilder.Entity<Book>(e =>
        {
            e.ToTable("Books");
            e.Property(b => b.Id).ValueGeneratedNever();
        });
    }
}
