using Microsoft.EntityFrameworkCore;

namespace Stockpile.Quickstart;

public sealed class LibraryContext(DbContextOptions<LibraryContext> options) : DbContext(options)
{
    public DbSet<Book> Books => Set<Book>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Book>().HasIndex(b => b.Isbn).IsUnique();
        modelBuilder.Entity<Book>().HasIndex(b => new { b.Shelf, b.Position }).IsUnique();
    }
}
