using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Authors (with an owned address), their books (cascade delete), genres (many-to-many), and an unrelated table: what cached queries read.</summary>
public class QueryDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<QAuthor> Authors => Set<QAuthor>();

    public DbSet<QBook> Books => Set<QBook>();

    public DbSet<QGenre> Genres => Set<QGenre>();

    public DbSet<QNote> Notes => Set<QNote>();

    public DbSet<QVehicle> Vehicles => Set<QVehicle>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<QAuthor>(e =>
        {
            e.ToTable("QAuthors");
            e.Property(a => a.Id).ValueGeneratedNever();
            e.OwnsOne(a => a.Address);
        });
        modelBuilder.Entity<QBook>(e =>
        {
            e.ToTable("QBooks");
            e.Property(b => b.Id).ValueGeneratedNever();
            e.Property(b => b.Price).HasPrecision(18, 2);
            e.HasOne(b => b.Author).WithMany(a => a.Books).HasForeignKey(b => b.AuthorId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(b => b.Genres).WithMany(g => g.Books).UsingEntity("QBookGenres");
        });
        modelBuilder.Entity<QGenre>(e =>
        {
            e.ToTable("QGenres");
            e.Property(g => g.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<QNote>(e =>
        {
            e.ToTable("QNotes");
            e.Property(n => n.Id).ValueGeneratedNever();
        });

        // Table per type: a bike's row is in QVehicles and QBikes.
        modelBuilder.Entity<QVehicle>(e =>
        {
            e.ToTable("QVehicles");
            e.Property(v => v.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<QBike>().ToTable("QBikes");
    }
}

public class QAuthor
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public QAddress Address { get; set; } = new();

    public List<QBook> Books { get; set; } = [];
}

public class QAddress
{
    public string City { get; set; } = "";
}

public class QBook
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public decimal Price { get; set; }

    public int AuthorId { get; set; }

    public QAuthor? Author { get; set; }

    public List<QGenre> Genres { get; set; } = [];
}

public class QGenre
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<QBook> Books { get; set; } = [];
}

public class QNote
{
    public int Id { get; set; }

    public string Text { get; set; } = "";
}

public class QVehicle
{
    public int Id { get; set; }

    public string Owner { get; set; } = "";
}

public class QBike : QVehicle
{
    public int Gears { get; set; }
}

/// <summary>A projection target.</summary>
public sealed record BookLine(string Title, string Author, decimal Price);
