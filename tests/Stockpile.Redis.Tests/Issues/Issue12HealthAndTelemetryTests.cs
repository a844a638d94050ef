using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stockpile.Internal;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.Diagnostics;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12 (observability) with real servers: the health check probes Redis (PING, circuit closed) and the database
/// (a connection), tier spans carry OpenTelemetry's <c>db.system</c>, and Core and Redis instruments share one meter.
/// </summary>
[NonParallelizable]
public sealed class Issue12HealthAndTelemetryTests
{
    [Test]
    public async Task AddStockpileHealthChecks_RedisAndDatabaseAnswer_Healthy()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await using var provider = BuildApp(database.ConnectionString, RedisTestEnvironment.ConnectionString);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["stockpile"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Healthy), entry.Description);
        Assert.That(entry.Data.Values, Has.Count.EqualTo(3).And.All.EqualTo("healthy"));
    }

    [Test]
    public async Task AddStockpileHealthChecks_RedisUnreachable_DegradedNamingTheRedisTier()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await using var provider = BuildApp(database.ConnectionString, "127.0.0.1:1,abortConnect=false,connectTimeout=300,asyncTimeout=300,syncTimeout=300,password=S3cret-Pa55");
        var redis = provider.GetRequiredService<ChainedStore>().Tiers[1];

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["stockpile"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded), "the chain still serves from the database");
        Assert.That(entry.Data[redis.Name], Does.Contain("PING"));
        Assert.That(entry.Description, Does.Contain(redis.Name).And.Not.Contain("S3cret"));
    }

    [Test]
    public async Task AddStockpileHealthChecks_CircuitOpen_DegradedNamingTheCircuit()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await using var provider = BuildApp(database.ConnectionString, "127.0.0.1:1,abortConnect=false,connectTimeout=300,asyncTimeout=300,syncTimeout=300", o =>
        {
            o.CircuitBreaker.FailureThreshold = 2; // Polly's minimum throughput
            o.CircuitBreaker.BreakDuration = TimeSpan.FromMinutes(10);
        });
        var chain = provider.GetRequiredService<ChainedStore>();
        var redis = (RedisStore)chain.Tiers[1];
        await chain.GetAsync<Row, int>(1);
        await chain.GetAsync<Row, int>(2);
        Assert.That(redis.CircuitState, Is.EqualTo(RedisCircuitState.Open), "the failed reads opened the circuit");

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["stockpile"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(entry.Data[redis.Name], Does.Contain("circuit breaker is Open"));
    }

    [Test]
    public async Task AddStockpileHealthChecks_DatabaseUnreachable_Unhealthy()
    {
        var missingFolder = Path.Combine(Path.GetTempPath(), $"stockpile-missing-{Guid.NewGuid():N}", "rows.db");
        await using var provider = BuildApp($"Data Source={missingFolder}", RedisTestEnvironment.ConnectionString);
        var bottom = provider.GetRequiredService<ChainedStore>().Tiers[^1];

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["stockpile"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(entry.Data[bottom.Name], Does.Contain("database"));
        Assert.That(entry.Data.Values.Count(v => Equals(v, "healthy")), Is.EqualTo(2), "memory and Redis answer");
    }

    [Test]
    public async Task GetAsync_ThroughRedisAndSqlite_TierSpansCarryDbSystemAndBackfillIsAChildOfGet()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1]);
        await using var provider = BuildApp(database.ConnectionString, RedisTestEnvironment.ConnectionString);
        var chain = provider.GetRequiredService<ChainedStore>();
        using var telemetry = new TelemetryRecorder();

        Assert.That(await chain.GetAsync<Row, int>(1), Is.Not.Null);

        var get = telemetry.SpansOf(chain.Name, "get").Single();
        var redis = telemetry.SpansOf(chain.Tiers[1].Name, "get").Single();
        var sqlite = telemetry.SpansOf(chain.Tiers[2].Name, "get").Single();
        Assert.That((redis.GetTagItem("db.system"), redis.GetTagItem("stockpile.store.request.type")), Is.EqualTo(("redis", "miss")));
        Assert.That((sqlite.GetTagItem("db.system"), sqlite.GetTagItem("stockpile.store.request.type")), Is.EqualTo(("sqlite", "hit")));
        Assert.That(new[] { redis.ParentSpanId, sqlite.ParentSpanId }, Is.All.EqualTo(get.SpanId));
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer");
        var backfills = telemetry.SpansOf(chain.Name, "backfill").ToList();
        Assert.That(backfills, Has.Count.EqualTo(2), "memory's, before the answer, and Redis's, after it (the default)");
        Assert.That(backfills.Select(s => s.ParentSpanId), Is.All.EqualTo(get.SpanId));
    }

    [Test]
    public void SharedMetrics_CoreAndRedis_UseOneMeter()
    {
        Assert.That(RedisMetrics.Shared.Meter, Is.SameAs(StockpileMetrics.Shared.Meter));
    }

    [Test]
    public async Task AddStockpile_WithMeterFactory_CoreAndRedisInstrumentsShareTheFactorysMeter()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await using var provider = BuildApp(database.ConnectionString, RedisTestEnvironment.ConnectionString);
        var factory = provider.GetRequiredService<IMeterFactory>();

        var core = provider.GetRequiredService<StockpileMetrics>().Meter;
        Assert.That(provider.GetRequiredService<RedisMetrics>().Meter, Is.SameAs(core));
        Assert.That(core.Scope, Is.SameAs(factory));
    }

    private static ServiceProvider BuildApp(string database, string redis, Action<RedisStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddDbContextFactory<RowDbContext>(o => o.UseSqlite(database));
        services.AddStockpile().AddMemoryStore().AddRedisStore(o =>
        {
            o.Configuration = redis;
            o.KeyPrefix = $"obs12-{Guid.NewGuid():N}:";
            configure?.Invoke(o);
        }).AddEfCoreStore<RowDbContext>();
        services.AddHealthChecks().AddStockpileHealthChecks();
        return services.BuildServiceProvider();
    }
}
