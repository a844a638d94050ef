using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Testing.Diagnostics;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12 (observability): every documented instrument records with its documented tags, get and get_many start
/// spans with tags and an error status on failure, a back-fill span is a child of the get that caused it, and DI gives
/// one meter. Heard through a real <see cref="ActivityListener"/> and <see cref="MeterListener"/>.
/// </summary>
[NonParallelizable]
public sealed class Issue12ObservabilityTests
{
    private const string Duration = "stockpile.store.operation.duration";

    [Test]
    public async Task GetAsync_MissAndHit_RecordDurationTaggedWithOperationAndOutcome()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();
        await chain.Memory[1].PutAsync(TestProducts.New(1));

        Assert.That(await chain.Chain.GetAsync<Product, int>(1), Is.Not.Null);
        Assert.That(await chain.Chain.GetAsync<Product>(EntityKey.For<Product>(2)), Is.Null);

        var durations = telemetry.Of(Duration, chain.Chain.Name);
        Assert.That(durations.Select(d => (d.Tag("stockpile.operation"), d.Tag("stockpile.store.request.type"))),
            Is.EqualTo(new[] { ("get", "hit"), ("get", "miss") }));
        Assert.That(durations.Select(d => d.Value), Is.All.GreaterThanOrEqualTo(0));
        Assert.That(durations[0].Instrument.Unit, Is.EqualTo("s"));
    }

    [Test]
    public async Task PutAndDeleteAndGetMany_Record_DurationTaggedWithOperation()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();

        await chain.Chain.PutAsync(TestProducts.New(1));
        await chain.Chain.GetManyAsync<Product>([EntityKey.For<Product>(1), EntityKey.For<Product>(2)]);
        await chain.Chain.DeleteAsync(EntityKey.For<Product>(1));

        Assert.That(telemetry.Of(Duration, chain.Chain.Name).Select(d => d.Tag("stockpile.operation")),
            Is.EqualTo(new[] { "put", "get_many", "delete" }));
    }

    [Test]
    public async Task GetAsync_HitInLowerTier_GetSpanWithTagsParentsTierReadAndBackfill()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();
        await chain.Memory[1].PutAsync(TestProducts.New(1));

        await chain.Chain.GetAsync<Product, int>(1);

        var get = telemetry.SpansOf(chain.Chain.Name, "get").Single();
        Assert.That(get.GetTagItem("db.operation.name"), Is.EqualTo("get"));
        Assert.That(get.GetTagItem("stockpile.entity.type"), Is.EqualTo(nameof(Product)));
        Assert.That(get.GetTagItem("stockpile.store.request.type"), Is.EqualTo("hit"));
        Assert.That(get.Status, Is.EqualTo(ActivityStatusCode.Unset));

        var tierRead = telemetry.SpansOf(chain.Name(1), "get").Single();
        Assert.That(tierRead.ParentSpanId, Is.EqualTo(get.SpanId), "the tier's read is a child of the chain's get");
        Assert.That(tierRead.GetTagItem("stockpile.store.request.type"), Is.EqualTo("hit"));

        var backfill = telemetry.SpansOf(chain.Chain.Name, "backfill").Single();
        Assert.That(backfill.GetTagItem("stockpile.backfill.source"), Is.EqualTo(chain.Name(1)));
        Assert.That(backfill.TraceId, Is.EqualTo(get.TraceId));
        Assert.That(backfill.ParentSpanId, Is.EqualTo(get.SpanId), "the back-fill is a child of the get that caused it");
        Assert.That(backfill.GetTagItem("stockpile.object.count"), Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_Miss_GetSpanTaggedMiss()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();

        await chain.Chain.GetAsync<Product>(TestProducts.BySku("none"));

        var get = telemetry.SpansOf(chain.Chain.Name, "get").Single();
        Assert.That(get.GetTagItem("stockpile.store.request.type"), Is.EqualTo("miss"));
        Assert.That(telemetry.SpansOf(chain.Name(1), "get").Single().GetTagItem("stockpile.store.request.type"), Is.EqualTo("miss"));
    }

    [Test]
    public async Task GetManyAsync_WithListener_GetManySpanCountsHitsAndParentsBackfill()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();
        await chain.Memory[1].PutAsync(TestProducts.New(1));

        await chain.Chain.GetManyAsync<Product>([EntityKey.For<Product>(1), EntityKey.For<Product>(2)]);

        var getMany = telemetry.SpansOf(chain.Chain.Name, "get_many").Single();
        Assert.That(getMany.GetTagItem("stockpile.object.count"), Is.EqualTo(2));
        Assert.That(getMany.GetTagItem("stockpile.store.hits"), Is.EqualTo(1));
        Assert.That(getMany.GetTagItem("stockpile.entity.type"), Is.EqualTo(nameof(Product)));
        var tierRead = telemetry.SpansOf(chain.Name(1), "get_many").Single();
        Assert.That(tierRead.ParentSpanId, Is.EqualTo(getMany.SpanId));
        Assert.That(telemetry.SpansOf(chain.Chain.Name, "backfill").Single().ParentSpanId, Is.EqualTo(getMany.SpanId));
    }

    [Test]
    public async Task GetAsync_SourceOfTruthFails_GetSpanAndDurationCarryTheError()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain(wrap: (i, store) => i == 1 ? new ChaosStore(store) { Failing = StoreOperation.Reads } : store, throwOnCacheReadFailure: true);

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.GetAsync<Product, int>(1));

        var get = telemetry.SpansOf(chain.Chain.Name, "get").Single();
        Assert.That(get.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(get.GetTagItem("error.type"), Is.EqualTo(typeof(ChaosException).FullName));
        Assert.That(get.StatusDescription, Does.Not.Contain("chaos:"), "the status names the exception's type, never its message (which may hold a key)");
        Assert.That(telemetry.Of(Duration, chain.Chain.Name).Single().Tag("error.type"), Is.EqualTo(typeof(ChaosException).FullName));
    }

    [Test]
    public async Task GetAsync_CacheTierFails_TierSpanErrorAndChainGetSucceeds()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain(tiers: 3, wrap: (i, store) => i == 1 ? new ChaosStore(store) { Failing = StoreOperation.Reads } : store);
        await chain.Memory[2].PutAsync(TestProducts.New(1));

        Assert.That(await chain.Chain.GetAsync<Product, int>(1), Is.Not.Null);

        Assert.That(telemetry.SpansOf(chain.Chain.Name, "get").Single().Status, Is.EqualTo(ActivityStatusCode.Unset));
        var failed = telemetry.Spans.Single(a => a.OperationName == "get" && a.Status == ActivityStatusCode.Error);
        Assert.That(failed.GetTagItem("error.type"), Is.EqualTo(typeof(ChaosException).FullName));
    }

    [Test]
    public async Task PutAsync_TierFails_PutSpanCarriesTheError()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain(wrap: (i, store) => i == 1 ? new ChaosStore(store) { Failing = StoreOperation.Writes } : store);

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1)));
        await chain.Chain.DeleteAsync(EntityKey.For<Product>(1));

        var put = telemetry.SpansOf(chain.Chain.Name, "put").Single();
        Assert.That(put.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(put.GetTagItem("stockpile.entity.type"), Is.EqualTo(nameof(Product)));
        var delete = telemetry.SpansOf(chain.Chain.Name, "delete").Single();
        Assert.That(delete.Status, Is.EqualTo(ActivityStatusCode.Unset));
        Assert.That(delete.GetTagItem("stockpile.object.count"), Is.EqualTo(1));
    }

    [Test]
    public async Task Spans_NeverCarryKeyValues()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();
        await chain.Chain.PutAsync(TestProducts.New(4242, sku: "SECRET-SKU"));
        await chain.Chain.GetAsync<Product>(TestProducts.BySku("SECRET-SKU"));

        var values = telemetry.Spans.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString() ?? string.Empty).ToList();
        Assert.That(values, Is.Not.Empty);
        Assert.That(values, Has.None.Contain("SECRET").And.None.Contain("4242"));
    }

    [Test]
    public async Task AddStockpile_WithMeterFactory_AllInstrumentsOnTheFactorysMeter()
    {
        await using var provider = new ServiceCollection().AddMetrics().AddStockpile().AddMemoryStore().Services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        using var telemetry = new TelemetryRecorder(meter => meter.Scope == factory);
        var chain = provider.GetRequiredService<ChainedStore>();

        await chain.PutAsync(TestProducts.New(1));
        await chain.GetAsync<Product, int>(1);

        var meters = telemetry.Measurements.Select(m => m.Instrument.Meter).Distinct().ToList();
        Assert.That(meters, Has.Count.EqualTo(1));
        Assert.That(telemetry.Measurements.Select(m => m.Instrument.Name).Distinct(),
            Is.SupersetOf(new[] { "stockpile.store.requests", Duration }));
    }

    [Test]
    public async Task MemoryTier_InAChain_ReportsEntriesAndEvictionsBySizeAndExpiry()
    {
        using var telemetry = new TelemetryRecorder();
        var time = new FakeTimeProvider();
        var name = $"mem-{Guid.NewGuid():N}"[..12];
        var memory = new MemoryStore(new MemoryStoreOptions { Name = name, SizeLimit = 2, DefaultLifetime = TimeSpan.FromMinutes(1), TimeProvider = time });
        var chain = new ChainedStore([memory, new MemoryStore(new MemoryStoreOptions { Name = name + "-db" })]);

        await chain.PutManyAsync([TestProducts.New(1), TestProducts.New(2), TestProducts.New(3)]);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(await memory.GetAsync<Product, int>(3), Is.Null, "expired");
        telemetry.Observe();

        Assert.That(telemetry.Of("stockpile.memory.entries", name)[^1].Value, Is.EqualTo(1));
        var evictions = telemetry.Of("stockpile.memory.evictions", name);
        Assert.That(evictions.Single(e => e.Tag("stockpile.eviction.reason") == "size").Value, Is.EqualTo(1));
        Assert.That(evictions.Single(e => e.Tag("stockpile.eviction.reason") == "expired").Value, Is.EqualTo(1));
    }

    [Test]
    public async Task Invalidations_SentAndReceived_CountedByKind()
    {
        using var telemetry = new TelemetryRecorder();
        var chain = NewChain();

        await chain.Chain.PutAsync(TestProducts.New(1));
        await chain.Chain.InvalidateAsync(typeof(Product));
        await chain.Chain.EvictLocalAsync([EntityKey.For<Product>(1), EntityKey.For<Product>(2)]);
        await chain.Chain.ClearLocalAsync(null);

        var counted = telemetry.Of("stockpile.invalidations", chain.Chain.Name)
            .GroupBy(m => (m.Tag("stockpile.invalidation.direction"), m.Tag("stockpile.invalidation.kind")))
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(counted, Is.EqualTo(new Dictionary<(string?, string?), double>
        {
            [("sent", "evict")] = 1,
            [("sent", "clear")] = 1,
            [("received", "evict")] = 2,
            [("received", "clear")] = 1,
        }));
    }

    private static TestChain NewChain(int tiers = 2, Func<int, ObjectStore, ObjectStore>? wrap = null, bool throwOnCacheReadFailure = false) =>
        new(tiers, wrap, new ChainedStoreOptions { Name = $"chain-{Guid.NewGuid():N}"[..14], ThrowOnCacheReadFailure = throwOnCacheReadFailure });
}
