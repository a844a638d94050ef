using Microsoft.EntityFrameworkCore;

namespace Stockpile.Benchmarks.Peers;

/// <summary>The database read every peer's factory runs: one product by id, untracked, compiled once (as EfCoreStore's own read is).</summary>
internal static class PeerBQueries
{
    private static readonly Func<BenchDbContext, int, Task<Product?>> s_byId =
        EF.CompileAsyncQuery((BenchDbContext context, int id) => context.Products.AsNoTracking().FirstOrDefault(p => p.Id == id));

    public static string Key(int id) => "product:" + id;

    /// <summary>Reads a product through a context of the factory (pooled), as a cache factory would.</summary>
    public static async Task<Product?> ByIdAsync(IDbContextFactory<BenchDbContext> contexts, int id, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await s_byId(context, id);
    }
}
