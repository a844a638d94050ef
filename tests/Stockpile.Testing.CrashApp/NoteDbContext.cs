using Microsoft.EntityFrameworkCore;

namespace Stockpile.Testing.CrashApp;

/// <summary>The app's context, with the outbox table in its model (as an app's migrations would create it).</summary>
public class NoteDbContext(DbContextOptions<NoteDbContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>(e =>
        {
            e.Property(n => n.Id).ValueGeneratedNever();
            e.HasIndex(n => n.Code).IsUnique();
        });
        modelBuilder.AddStockpileOutbox();
    }
}
