using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>App instances as an application registers them: memory → Redis → EF Core, the backplane, and the SaveChanges interceptor.</summary>
internal static class EfCoreApps
{
    public static Action<IServiceCollection> Database(SqliteFileDatabase database) => Database(database.Configure);

    /// <summary>The instance's context factory over any database, with the interceptor, then <paramref name="interceptors"/>.</summary>
    public static Action<IServiceCollection> Database(Action<DbContextOptionsBuilder> configure, params IInterceptor[] interceptors) =>
        services => services.AddDbContextFactory<RowDbContext>((sp, o) =>
        {
            configure(o);
            o.AddStockpileInterceptor(sp).AddInterceptors(interceptors);
        });

    public static void AddDatabaseTier(IStockpileBuilder builder) => builder.AddEfCoreStore<RowDbContext>();

    public static Task<AppPair> StartPairAsync(string redis, SqliteFileDatabase database, Action<RedisStoreOptions>? configureRedis = null) =>
        AppPair.StartAsync(redis, AddDatabaseTier, Database(database), configureRedis);

    /// <summary>Renames a row through the instance's own context factory and <c>SaveChanges</c>, so the interceptor applies the commit.</summary>
    public static async Task RenameAsync(AppInstance instance, int id, string name)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        var row = await context.Rows.SingleAsync(r => r.Id == id);
        row.Name = name;
        await context.SaveChangesAsync();
    }

    public static async Task SeedAsync(SqliteFileDatabase database, IEnumerable<int> ids)
    {
        await using var context = database.CreateContext();
        context.Rows.AddRange(ids.Select(id => new Row { Id = id, Code = $"R{id}", Name = "v0" }));
        await context.SaveChangesAsync();
    }

    public static async Task<string[]> NamesAsync(SqliteFileDatabase database, IEnumerable<int> ids)
    {
        await using var context = database.CreateContext();
        var rows = await context.Rows.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name);
        return ids.Select(id => rows[id]).ToArray();
    }
}
