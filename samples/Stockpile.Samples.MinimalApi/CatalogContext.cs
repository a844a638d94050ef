using Microsoft.EntityFrameworkCore;

namespace Stockpile.Samples.MinimalApi;

public sealed class CatalogContext(DbContextOptions<CatalogContext> options) : DbContext(options)
{
    public DbSet<CatalogItem> Items => Set<CatalogItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CatalogItem>().HasIndex(i => i.Sku).IsUnique();
}
