using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Fuzz;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Maps the fuzz entities (<see cref="Keyed{TKey}"/> for every supported key type, <see cref="KeyedPair"/>), each to a table of its own, keys never generated.</summary>
public sealed class FuzzDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        Map<int>(modelBuilder);
        Map<long>(modelBuilder);
        Map<string>(modelBuilder);
        Map<Guid>(modelBuilder);
        Map<bool>(modelBuilder);
        Map<char>(modelBuilder);
        Map<decimal>(modelBuilder);
        Map<sbyte>(modelBuilder);
        Map<byte>(modelBuilder);
        Map<short>(modelBuilder);
        Map<ushort>(modelBuilder);
        Map<uint>(modelBuilder);
        Map<ulong>(modelBuilder);
        Map<DateTime>(modelBuilder);
        Map<DateTimeOffset>(modelBuilder);
        Map<DateOnly>(modelBuilder);
        Map<TimeOnly>(modelBuilder);
        Map<FuzzShade>(modelBuilder);
        modelBuilder.Entity<KeyedPair>(e =>
        {
            e.ToTable("FuzzKeyedPair");
            e.HasKey(p => new { p.Left, p.Right });
            e.HasIndex(p => p.Alt).IsUnique();
        });
    }

    private static void Map<TKey>(ModelBuilder modelBuilder)
        where TKey : notnull =>
        modelBuilder.Entity<Keyed<TKey>>(e =>
        {
            e.ToTable("FuzzKeyed" + typeof(TKey).Name);
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).ValueGeneratedNever();
            e.HasIndex(k => k.Alt).IsUnique();
        });
}
