using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Trace;

namespace Stockpile.Samples.MinimalApi;

/// <summary>Builds the app: Stockpile registered with DI, the chain set up at startup, endpoints reading through it.</summary>
public static class CatalogApi
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var database = builder.Configuration.GetConnectionString("Catalog") ?? $"Data Source={Path.Combine(AppContext.BaseDirectory, "catalog.db")}";
        builder.Services.AddPooledDbContextFactory<CatalogContext>((sp, options) => options.UseSqlite(database).AddStockpileInterceptor(sp));

        // Chain the stores at startup: memory first, Redis when configured, the database last.
        var stockpile = builder.Services.AddStockpile(builder.Configuration.GetSection("Stockpile")).AddMemoryStore();
        if (builder.Configuration["REDIS_URL"] is { Length: > 0 } redis)
        {
            stockpile.AddRedisStore(redis).AddRedisBackplane().AddRedisCache();
        }
        else
        {
            stockpile.AddCache();
        }

        stockpile.AddEfCoreStore<CatalogContext>();

        // Health: /health probes every tier (Redis PING and circuit closed, database connection).
        builder.Services.AddHealthChecks().AddStockpileHealthChecks();

        // Traces and metrics through OpenTelemetry; "--Tracing:Console true" prints each span (see the README).
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                // ASP.NET Core's own source makes each request the root span, so Stockpile's spans are its children.
                tracing.AddSource("Microsoft.AspNetCore").AddStockpileInstrumentation();
                if (builder.Configuration.GetValue<bool>("Tracing:Console"))
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics => metrics.AddStockpileInstrumentation());

        var app = builder.Build();
        app.MapHealthChecks("/health");
        MapEndpoints(app);
        return app;
    }

    public static async Task EnsureDatabaseAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CatalogContext>>().CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/tiers", (ChainedStore chain) => chain.Tiers.Select(t => t.Name));

        app.MapGet("/items/{id:int}", async (int id, ObjectStore store, CancellationToken ct) =>
            await store.GetAsync<CatalogItem, int>(id, ct) is { } item ? Results.Ok(item) : Results.NotFound());

        app.MapGet("/items/by-sku/{sku}", async (string sku, ObjectStore store, CancellationToken ct) =>
            await store.GetAsync<CatalogItem>(EntityKey.Of<CatalogItem>(nameof(CatalogItem.Sku), sku), ct) is { } item ? Results.Ok(item) : Results.NotFound());

        // A cached list: answered from the cache until a commit changes the Items table (any write through EF Core).
        app.MapGet("/items", async (decimal? maxPrice, IDbContextFactory<CatalogContext> contexts, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var limit = maxPrice ?? decimal.MaxValue;
            return await db.Items.Where(i => i.Price <= limit).OrderBy(i => i.Id).Cached(TimeSpan.FromMinutes(5)).ToListAsync(ct);
        });

        app.MapPost("/items", async (CatalogItem item, IDbContextFactory<CatalogContext> contexts, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            db.Items.Add(item);
            await db.SaveChangesAsync(ct);
            return Results.Created($"/items/{item.Id}", item);
        });

        // Writes go through EF Core; the Stockpile interceptor evicts the committed rows from every cache tier.
        app.MapPut("/items/{id:int}", async (int id, CatalogItem change, IDbContextFactory<CatalogContext> contexts, CancellationToken ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (await db.Items.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } item)
            {
                return Results.NotFound();
            }

            (item.Sku, item.Name, item.Price) = (change.Sku, change.Name, change.Price);
            await db.SaveChangesAsync(ct);
            return Results.Ok(item);
        });
    }
}
