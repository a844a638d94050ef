using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <content>
/// Reads through what caches data beside the entities: a <c>Cached()</c> query and its compiled form (results kept in
/// the query cache on memory over Redis under the table's tag), and a value cached on memory over Redis under a key built
/// from the row's invalidation token. Checked as the Redis tier is: while Redis is reachable by all, no older than any instance's returned write
/// (the tags' versions and the tokens live in Redis); during and after a fault, no older than the reader's own.
/// </content>
internal sealed partial class TortureWorkload
{
    /// <summary>One per workload: EF Core runs a compiled query against the one model it was compiled for (SQLite's, or PostgreSQL's).</summary>
    private readonly Func<RowDbContext, int, CancellationToken, Task<List<Row>>> _compiledRow =
        StockpileQuery.CompileAsyncQuery((RowDbContext db, int id) => db.Rows.Where(r => r.Id == id));

    private async Task<string> ReadCachedQueryAsync(int instance, int id)
    {
        var floor = QueryFloor(id, instance);
        var name = await CachedQueryNameAsync(instance, id);
        Check("cached query", instance, id, name, floor, mayMiss: false);
        return "cached query";
    }

    private async Task<string> ReadCompiledQueryAsync(int instance, int id)
    {
        var floor = QueryFloor(id, instance);
        var name = await CompiledQueryNameAsync(instance, id);
        Check("compiled cached query", instance, id, name, floor, mayMiss: false);
        return "compiled cached query";
    }

    private async Task<string> ReadTokenKeyedAsync(int instance, int id)
    {
        var floor = QueryFloor(id, instance);
        var name = await TokenKeyedNameAsync(instance, id);
        Check("value under a token key", instance, id, name, floor, mayMiss: false);
        return "token-keyed value";
    }

    private long QueryFloor(int id, int instance) => SharedRedisFloor ? _ledger.Floor(id) : _ledger.Floor(id, instance);

    internal async Task<string?> CachedQueryNameAsync(int instance, int id)
    {
        await using var context = await Factory(instance).CreateDbContextAsync();
        return (await context.Rows.Where(r => r.Id == id).Cached().ToListAsync()).SingleOrDefault()?.Name;
    }

    private async Task<string?> CompiledQueryNameAsync(int instance, int id)
    {
        await using var context = await Factory(instance).CreateDbContextAsync();
        return (await _compiledRow(context, id, CancellationToken.None)).SingleOrDefault()?.Name;
    }

    /// <summary>
    /// A value cached on memory over Redis under a key built from the row's token; the factory reads the row's
    /// committed name. Only the token (on Redis) tells this instance that another one committed the row.
    /// </summary>
    private async Task<string?> TokenKeyedNameAsync(int instance, int id)
    {
        var services = _instances[instance].Services;
        var key = await services.GetRequiredService<IStockpileKeyBuilder>().BuildAsync(StockpileKey.For("torture-row").WithId<Row>(id));
        return await services.GetRequiredKeyedService<IStockpileCache>(TortureApps.TokenCache).GetOrCreateAsync(key, (Workload: this, Instance: instance, Id: id), static async (s, ct) =>
        {
            await using var context = await s.Workload.Factory(s.Instance).CreateDbContextAsync(ct);
            return (await context.Rows.AsNoTracking().SingleAsync(r => r.Id == s.Id, ct)).Name;
        });
    }
}
