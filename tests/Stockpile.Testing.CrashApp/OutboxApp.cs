using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Testing.CrashApp;

/// <summary>One app instance's services: memory → Redis → SQLite, the interceptor and the outbox, as an app registers them.</summary>
public static class OutboxApp
{
    /// <param name="services">The services to add to.</param>
    /// <param name="provider"><c>sqlite</c> or <c>postgres</c>.</param>
    /// <param name="database">The database's connection string.</param>
    /// <param name="redis">The Redis configuration string.</param>
    /// <param name="prefix">The Redis key prefix (one per test).</param>
    /// <param name="first">An interceptor registered before Stockpile's, or <see langword="null"/>.</param>
    /// <param name="configureOutbox">Configures the outbox.</param>
    /// <param name="configureRedis">Configures the Redis store beyond the server and prefix.</param>
    public static IServiceCollection Add(IServiceCollection services, string provider, string database, string redis, string prefix, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor? first = null, Action<StockpileOutboxOptions>? configureOutbox = null, Action<RedisStoreOptions>? configureRedis = null)
    {
        services.AddDbContextFactory<NoteDbContext>((sp, o) =>
        {
            UseDatabase(o, provider, database);
            if (first is not null)
            {
                o.AddInterceptors(first);
            }

            o.AddStockpileInterceptor(sp);
        });
        services.AddStockpile()
            .AddMemoryStore()
            .AddRedisStore(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = prefix;
                configureRedis?.Invoke(o);
            })
            .AddEfCoreStore<NoteDbContext>()
            .AddOutbox<NoteDbContext>(configureOutbox);
        return services;
    }

    /// <summary>Points a context at SQLite or PostgreSQL.</summary>
    public static DbContextOptionsBuilder UseDatabase(DbContextOptionsBuilder builder, string provider, string database) => provider switch
    {
        "sqlite" => builder.UseSqlite(database),
        "postgres" => builder.UseNpgsql(database),
        _ => throw new ArgumentException($"unknown provider '{provider}': sqlite or postgres", nameof(provider)),
    };
}
