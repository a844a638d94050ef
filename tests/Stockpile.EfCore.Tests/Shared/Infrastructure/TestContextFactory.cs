using Microsoft.EntityFrameworkCore;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Makes contexts from fixed options, as <c>AddDbContextFactory</c> would.</summary>
public sealed class TestContextFactory<TContext>(DbContextOptions<TContext> options) : IDbContextFactory<TContext>
    where TContext : DbContext
{
    public DbContextOptions<TContext> Options { get; } = options;

    public TContext CreateDbContext() => (TContext)Activator.CreateInstance(typeof(TContext), Options)!;
}
