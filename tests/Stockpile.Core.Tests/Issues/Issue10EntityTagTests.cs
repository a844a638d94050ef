using Microsoft.Extensions.DependencyInjection;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 10, tags on entities: an entity type declares tags (attribute or selector), and removing a tag removes those
/// entities from every cache tier and every instance, never from the source of truth.
/// </summary>
[TestFixture]
public sealed class Issue10EntityTagTests
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100;

    private static int NextId() => Interlocked.Increment(ref s_nextId);

    private static TenantOrder Order(int tenant, string? region = null, int? id = null)
    {
        var orderId = id ?? NextId();
        return new TenantOrder { Id = orderId, Number = $"N-{orderId}", TenantId = tenant, Region = region, Note = "v1" };
    }

    [Test]
    public async Task RemoveByTagAsync_MemoryStore_RemovesOnlyEntitiesCarryingTheTag()
    {
        using var store = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = Timeout.InfiniteTimeSpan });
        var tenant = NextId();
        var mine = new[] { Order(tenant), Order(tenant) };
        var other = Order(tenant + 1);
        var product = new Product { Id = NextId(), Sku = $"S-{NextId()}" };
        await store.PutManyAsync(mine);
        await store.PutAsync(other);
        await store.PutAsync(product);

        await store.RemoveByTagAsync($"tenant:{tenant}");

        foreach (var order in mine)
        {
            Assert.That(await store.GetAsync<TenantOrder, int>(order.Id), Is.Null, "stored without expiry, removed all the same");
            Assert.That(await store.GetAsync<TenantOrder>(EntityKey.Of<TenantOrder>(nameof(TenantOrder.Number), order.Number)), Is.Null, "no alternate key serves it");
        }

        Assert.That((await store.GetAsync<TenantOrder, int>(other.Id))?.Id, Is.EqualTo(other.Id));
        Assert.That((await store.GetAsync<Product, int>(product.Id))?.Id, Is.EqualTo(product.Id));
        Assert.That(store.CountTagged($"tenant:{tenant}"), Is.Zero);
    }

    [Test]
    public async Task RemoveByTagAsync_EntityWithSeveralTags_IsRemovedByAnyOfThem()
    {
        using var store = new MemoryStore();
        var region = $"r{NextId()}";
        var order = Order(NextId(), region);
        var sameTenant = Order(order.TenantId);
        await store.PutManyAsync([order, sameTenant]);

        await store.RemoveByTagAsync($"region:{region}");

        Assert.That(await store.GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await store.GetAsync<TenantOrder, int>(sameTenant.Id), Is.Not.Null, "the other order has no region");
        Assert.That(store.CountTagged($"tenant:{order.TenantId}"), Is.EqualTo(1), "the removed order left every tag's index");
    }

    [Test]
    public async Task RemoveByTagAsync_TenantMovedByALaterPut_IsFiledUnderItsCurrentTag()
    {
        using var store = new MemoryStore();
        var order = Order(NextId());
        var before = order.TenantId;
        await store.PutAsync(order);
        var moved = Order(before + 1, id: order.Id);
        await store.PutAsync(moved);

        await store.RemoveByTagAsync($"tenant:{before}");
        Assert.That((await store.GetAsync<TenantOrder, int>(order.Id))?.TenantId, Is.EqualTo(moved.TenantId), "the old tenant's tag no longer names it");

        await store.RemoveByTagAsync($"tenant:{moved.TenantId}");
        Assert.That(await store.GetAsync<TenantOrder, int>(order.Id), Is.Null);
    }

    [Test]
    public async Task RemoveByTagAsync_AfterDeleteAndEviction_LeavesNothingInTheIndex()
    {
        using var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = 2 });
        var tenant = NextId();
        var orders = Enumerable.Range(0, 5).Select(_ => Order(tenant)).ToArray();
        foreach (var order in orders)
        {
            await store.PutAsync(order);
        }

        Assert.That(store.CountTagged($"tenant:{tenant}"), Is.EqualTo(2), "evicted objects leave the tag's index with the store");
        await store.DeleteAsync(orders[^1]);
        Assert.That(store.CountTagged($"tenant:{tenant}"), Is.EqualTo(1));
        await store.ClearAsync();
        Assert.That(store.CountTagged($"tenant:{tenant}"), Is.Zero);
    }

    [Test]
    public async Task RemoveByTagAsync_Chain_EvictsTheCacheTiersNotTheSourceOfTruth_AndTellsOtherInstances()
    {
        var chain = new TestChain(3, (i, store) => i == 2 ? new SourceOfTruthStore(store) : store);
        var tenant = NextId();
        var order = Order(tenant);
        await chain.Chain.PutAsync(order);

        await chain.Chain.RemoveByTagAsync($"tenant:{tenant}");

        Assert.That(await chain.Memory[0].GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await chain.Memory[1].GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await chain.Memory[2].GetAsync<TenantOrder, int>(order.Id), Is.Not.Null, "the source of truth is never touched");
        Assert.That(chain.Backplane.RemovedTags, Is.EqualTo(new[] { $"tenant:{tenant}" }));

        var read = await chain.Chain.GetAsync<TenantOrder, int>(order.Id);
        Assert.That(read?.Note, Is.EqualTo("v1"), "the next read falls through to the source of truth");
        Assert.That(await chain.Memory[0].GetAsync<TenantOrder, int>(order.Id), Is.Not.Null, "and back-fills the caches, tagged again");
        Assert.That(chain.Memory[0].CountTagged($"tenant:{tenant}"), Is.EqualTo(1));
    }

    [Test]
    public async Task RemoveByTagAsync_MemoryOnlyChain_RemovesTheEntities()
    {
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory]);
        var order = Order(NextId());
        await chain.PutAsync(order);

        await chain.RemoveByTagAsync($"tenant:{order.TenantId}");

        Assert.That(await chain.GetAsync<TenantOrder, int>(order.Id), Is.Null, "a memory tier with nothing below is a cache too");
    }

    [Test]
    public async Task RemoveByTagAsync_HybridCache_ReachesTheEntities()
    {
        var bottom = new SourceOfTruthStore(new MemoryStore(), "database");
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddTier(_ => bottom).AddCache();
        await using var provider = services.BuildServiceProvider();
        var order = Order(NextId());
        await provider.GetRequiredService<ChainedStore>().PutAsync(order);

        await provider.GetRequiredService<Microsoft.Extensions.Caching.Hybrid.HybridCache>().RemoveByTagAsync($"tenant:{order.TenantId}");

        Assert.That(await provider.GetRequiredService<MemoryStore>().GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await bottom.GetAsync<TenantOrder, int>(order.Id), Is.Not.Null);
    }

    [Test]
    public async Task RemoveByTagLocalAsync_BackplaneReceiver_EvictsOnlyProcessLocalTiers()
    {
        var local = new MemoryStore();
        var chain = new ChainedStore([local, new NotLocal(new MemoryStore())]);
        var order = Order(NextId());
        await chain.PutAsync(order);

        await chain.RemoveByTagLocalAsync($"tenant:{order.TenantId}");

        Assert.That(await local.GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await chain.Tiers[1].GetAsync<TenantOrder, int>(order.Id), Is.Not.Null, "a shared tier was evicted by the instance that removed the tag");
    }

    [Test]
    public async Task RemoveByTagAsync_BackfillRacingTheRemoval_IsUndone()
    {
        var chain = new TestChain(2, (i, store) => i == 1 ? new GatedStore(new SourceOfTruthStore(store)) : store);
        var order = Order(NextId());
        await chain.Memory[1].PutAsync(order);
        var gate = ((GatedStore)chain.Tiers[1]).HoldNextGetAfterRead();

        var read = chain.Chain.GetAsync<TenantOrder, int>(order.Id).AsTask();
        await gate.WaitUntilEnteredAsync();
        await chain.Chain.RemoveByTagAsync($"tenant:{order.TenantId}");
        gate.Release();

        Assert.That((await read)?.Id, Is.EqualTo(order.Id), "the reader still gets the entity");
        Assert.That(await chain.Memory[0].GetAsync<TenantOrder, int>(order.Id), Is.Null, "what it read before the removal is not left in the cache");
    }

    [Test]
    public async Task RemoveByTagAsync_RegisteredSelector_TagsByIt()
    {
        StockpileEntityTags.Register<SelectorTagged>(e => e.Group is null ? null : [$"group:{e.Group}", "all-selector-tagged"]);
        using var store = new MemoryStore();
        var grouped = new SelectorTagged { Id = NextId(), Group = "g" + NextId() };
        var ungrouped = new SelectorTagged { Id = NextId() };
        await store.PutManyAsync([grouped, ungrouped]);

        Assert.That(StockpileEntityTags.Of(grouped), Is.EqualTo(new[] { $"group:{grouped.Group}", "all-selector-tagged" }));
        Assert.That(StockpileEntityTags.Of(ungrouped), Is.Empty);
        Assert.That(StockpileEntityTags.Of(new Product()), Is.Empty);

        await store.RemoveByTagAsync("all-selector-tagged");
        Assert.That(await store.GetAsync<SelectorTagged, int>(grouped.Id), Is.Null);
        Assert.That(await store.GetAsync<SelectorTagged, int>(ungrouped.Id), Is.Not.Null);
    }

    [Test]
    public void PutAsync_SelectorReturnsAnEmptyTag_ThrowsNamingTypeAndKey_AndWritesNothing()
    {
        StockpileEntityTags.Register<BadlyTagged>(static e => [e.Tag]);
        using var store = new MemoryStore();
        var id = NextId();

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await store.PutAsync(new BadlyTagged { Id = id, Tag = "" }));
        Assert.That(error!.Message, Does.Contain(nameof(BadlyTagged)).And.Contain(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("empty tag"));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public void PutAsync_SelectorThrows_ThrowsNamingTypeKeyAndReason_AndWritesNothing()
    {
        StockpileEntityTags.Register<ThrowingTagged>(static _ => throw new FormatException("no tenant"));
        using var store = new MemoryStore();
        var id = NextId();

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await store.PutAsync(new ThrowingTagged { Id = id }));
        Assert.That(error!.Message, Does.Contain(nameof(ThrowingTagged)).And.Contain(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("no tenant"));
        Assert.That(error.InnerException, Is.TypeOf<FormatException>());
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public void PutAsync_TagAttributeWithoutPrefix_ThrowsNamingTypeAndProperty()
    {
        using var store = new MemoryStore();

        var error = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.PutAsync(new BlankPrefixTagged { Id = NextId() }));
        Assert.That(error!.Message, Does.Contain(nameof(BlankPrefixTagged)).And.Contain(nameof(BlankPrefixTagged.Owner)).And.Contain("prefix"));
    }

    [Test]
    public void RemoveByTagAsync_EmptyTag_Throws()
    {
        using var store = new MemoryStore();
        Assert.ThrowsAsync<ArgumentException>(async () => await store.RemoveByTagAsync(" "));
    }

    [Test]
    public async Task RemoveByTagAsync_StoreWithoutTagIndex_ClearsTypesWithTags_AndLeavesTheOthers()
    {
        var store = new ClearableStore(new MemoryStore());
        var order = Order(NextId());
        var product = new Product { Id = NextId(), Sku = $"S-{NextId()}" };
        await store.PutAsync(order);
        await store.PutAsync(product);

        await store.RemoveByTagAsync($"tenant:{order.TenantId + 1}");

        Assert.That(await store.GetAsync<TenantOrder, int>(order.Id), Is.Null, "more than asked, never less");
        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Not.Null, "a type without tags stays");
    }

    [Test]
    public async Task RemoveByTagAsync_StoreWithoutTagIndexOrClear_ThrowsNamingTheStore()
    {
        var store = new DictionaryKeyValueStore(new KeyValueObjectStoreOptions { Name = "plain-kv" });
        await store.PutAsync(Order(NextId()));

        var error = Assert.ThrowsAsync<NotSupportedException>(async () => await store.RemoveByTagAsync("tenant:1"));
        Assert.That(error!.Message, Does.Contain("plain-kv").And.Contain("tenant:1"));
    }

    [Test]
    public async Task RemoveByTagAsync_Cache_RemovesCacheItemsAndEntitiesInOneCall()
    {
        var bottom = new SourceOfTruthStore(new MemoryStore(), "database");
        var services = new ServiceCollection();
        services.AddStockpile(o => o.Entity<OptionsTagged>().Tags(e => [$"owner:{e.Owner}"]))
            .AddMemoryStore()
            .AddTier(_ => bottom)
            .AddCache();
        await using var provider = services.BuildServiceProvider();
        var chain = provider.GetRequiredService<ChainedStore>();
        var cache = provider.GetRequiredService<IStockpileCache>();
        var owner = $"o{NextId()}";
        var entity = new OptionsTagged { Id = NextId(), Owner = owner };
        await chain.PutAsync(entity);
        await cache.SetAsync("report", 42, new StockpileCacheEntryOptions { Tags = [$"owner:{owner}"] });
        var memory = provider.GetRequiredService<MemoryStore>();

        await cache.RemoveByTagAsync($"owner:{owner}");

        Assert.That(await cache.GetAsync<int?>("report"), Is.Null);
        Assert.That(await memory.GetAsync<OptionsTagged, int>(entity.Id), Is.Null, "the entity left the memory tier");
        Assert.That(await bottom.GetAsync<OptionsTagged, int>(entity.Id), Is.Not.Null, "and stayed in the source of truth");
    }

    [Test]
    public async Task RemoveByTagAsync_CacheWithoutEntities_RemovesItsItems()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddCache();
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IStockpileCache>();
        await cache.SetAsync("k", "v", new StockpileCacheEntryOptions { Tags = ["t"] });

        await cache.RemoveByTagAsync("t");

        Assert.That(await cache.GetAsync<string>("k"), Is.Null);
    }

    public sealed class SelectorTagged
    {
        [StockpileKey]
        public int Id { get; set; }

        public string? Group { get; set; }
    }

    public sealed class BadlyTagged
    {
        [StockpileKey]
        public int Id { get; set; }

        public string Tag { get; set; } = "";
    }

    public sealed class ThrowingTagged
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    public sealed class BlankPrefixTagged
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileTag(" ")]
        public string Owner { get; set; } = "";
    }

    public sealed class OptionsTagged
    {
        [StockpileKey]
        public int Id { get; set; }

        public string Owner { get; set; } = "";
    }

    /// <summary>A cache that can be cleared but keeps no tag index: it takes the default removal by tag.</summary>
    private sealed class ClearableStore(MemoryStore inner) : ObjectStore("clearable")
    {
        protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) => inner.GetUntypedAsync(key, cancellationToken);

        protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) => inner.PutUntypedAsync(item, cancellationToken);

        protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) => inner.DeleteUntypedAsync(key, cancellationToken);

        protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) => inner.ClearUntypedAsync(entityType, cancellationToken);
    }

    /// <summary>A memory store that says it is shared (as Redis is), so a local removal leaves it alone.</summary>
    private sealed class NotLocal(ObjectStore inner) : DelegatingStore(inner, "shared")
    {
        public override bool IsProcessLocal => false;
    }
}
