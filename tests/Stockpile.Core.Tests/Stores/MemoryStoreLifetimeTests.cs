using Microsoft.Extensions.Time.Testing;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class MemoryStoreLifetimeTests
{
    private readonly FakeTimeProvider _time = new();

    [Test]
    public async Task GetAsync_PastDefaultLifetime_Misses()
    {
        var store = Store(defaultLifetime: TimeSpan.FromMinutes(1));
        await store.PutAsync(NewProduct(1));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task GetAsync_Expired_RemovesEntryUnderEveryKey()
    {
        var store = Store(defaultLifetime: TimeSpan.FromMinutes(1));
        await store.PutAsync(NewProduct(1));
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1")), Is.Null);

        Assert.That(store.Count, Is.Zero);
        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task PutAsync_ReplacingAnExpiredEntryInPlace_IsServedWithItsNewLifetime()
    {
        var store = Store(defaultLifetime: TimeSpan.FromMinutes(1));
        await store.PutAsync(NewProduct(1));
        _time.Advance(TimeSpan.FromMinutes(2));

        var fresh = NewProduct(1);
        await store.PutAsync(fresh);

        Assert.That(await store.GetAsync<Product, int>(1), Is.SameAs(fresh));
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1")), Is.SameAs(fresh));
        Assert.That(store.Count, Is.EqualTo(1));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(await store.GetAsync<Product, int>(1), Is.SameAs(fresh));
    }

    [Test]
    public async Task PutAsync_AfterOthersExpired_SweepsThem()
    {
        var store = Store(defaultLifetime: TimeSpan.FromMinutes(1));
        await store.PutAsync(NewProduct(1));
        _time.Advance(TimeSpan.FromMinutes(2));

        await store.PutAsync(NewProduct(2));

        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task LifetimeSelector_Duration_OverridesDefault()
    {
        var store = Store(TimeSpan.FromHours(1), p => ((Product)p).Id == 1 ? ObjectLifetime.For(TimeSpan.FromSeconds(10)) : ObjectLifetime.Default);
        await store.PutManyAsync([NewProduct(1), NewProduct(2)]);

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
        Assert.That(await store.GetAsync<Product, int>(2), Is.Not.Null, "ObjectLifetime.Default falls back to the store default");
    }

    [Test]
    public async Task LifetimeSelector_AbsoluteTime_ExpiresThen()
    {
        var until = _time.GetUtcNow().AddMinutes(5);
        var store = Store(TimeSpan.FromSeconds(1), _ => ObjectLifetime.At(until));
        await store.PutAsync(NewProduct(1));

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task LifetimeSelector_Never_OutlivesDefault()
    {
        var store = Store(TimeSpan.FromSeconds(1), _ => ObjectLifetime.Never);
        await store.PutAsync(NewProduct(1));

        _time.Advance(TimeSpan.FromDays(3650));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);
    }

    [Test]
    public async Task LifetimeSelector_AbsoluteTimeInThePast_StoresNothingAndDropsPrevious()
    {
        var expire = false;
        var past = _time.GetUtcNow().AddSeconds(-1);
        var store = Store(TimeSpan.FromMinutes(1), _ => expire ? ObjectLifetime.At(past) : ObjectLifetime.Default);
        await store.PutAsync(NewProduct(1));

        expire = true;
        await store.PutAsync(NewProduct(1));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null, "an already expired put must not leave the older version behind");
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task LifetimeSelector_ReceivesTheObjectPut()
    {
        var seen = new List<object>();
        var store = Store(TimeSpan.FromMinutes(1), o =>
        {
            seen.Add(o);
            return ObjectLifetime.Default;
        });
        var product = NewProduct(1);

        await store.PutAsync(product);

        Assert.That(seen, Is.EqualTo(new object[] { product }));
    }

    [TestCase(-1)]
    [TestCase(0)]
    public async Task DefaultLifetime_InfiniteOrZero_NeverExpires(int milliseconds)
    {
        var store = Store(TimeSpan.FromMilliseconds(milliseconds));
        await store.PutAsync(NewProduct(1));

        _time.Advance(TimeSpan.FromDays(3650));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);
    }

    [Test]
    public async Task SystemClock_LongLifetime_StillHits()
    {
        var store = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = TimeSpan.FromHours(1) });
        await store.PutAsync(NewProduct(1));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);
    }

    [Test]
    public async Task SystemClock_ShortLifetime_Expires()
    {
        var store = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = TimeSpan.FromMilliseconds(20) });
        await store.PutAsync(NewProduct(1));
        var waited = System.Diagnostics.Stopwatch.StartNew();

        // A bounded wait for real time to pass, not a timed assertion: any expiry within 5 s passes.
        while (await store.GetAsync<Product, int>(1) is not null)
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "a 20 ms lifetime never ended");
            await Task.Delay(5);
        }
    }

    private MemoryStore Store(TimeSpan defaultLifetime, Func<object, ObjectLifetime>? selector = null) =>
        new(new MemoryStoreOptions { DefaultLifetime = defaultLifetime, LifetimeSelector = selector, TimeProvider = _time });

    private static Product NewProduct(int id) => new() { Id = id, Sku = $"SKU-{id}", Name = $"Product {id}" };
}
