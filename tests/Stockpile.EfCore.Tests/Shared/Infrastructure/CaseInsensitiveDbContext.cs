using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps <see cref="Tag"/> with its unique <c>Code</c> in the provider's case-insensitive collation.</summary>
public sealed class CaseInsensitiveDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tag>(e =>
        {
            e.ToTable("Tags");
            e.Property(t => t.Id).ValueGeneratedNever();
            e.Property(t => t.Code).UseCollation(TestDatabase.Current.CaseInsensitiveCollation);
            e.HasIndex(t => t.Code).IsUnique();
        });
    }
}
