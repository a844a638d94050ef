using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 7, item 12: a store used after it was disposed must say so (<see cref="ObjectDisposedException"/>), not read as
/// an outage or skip a put silently.
/// </summary>
[TestFixture]
public sealed class Issue7UseAfterDisposeTests
{
    public static IEnumerable<TestCaseData> Operations()
    {
        yield return Case("GetAsync by primary key", static s => s.GetAsync<Product, int>(1).AsTask());
        yield return Case("GetAsync by EntityKey", static s => s.GetAsync<Product>(EntityKey.Of<Product>("Sku", "A")).AsTask());
        yield return Case("GetManyAsync", static s => s.GetManyAsync<Product, int>([1, 2]).AsTask());
        yield return Case("PutAsync", static s => s.PutAsync(new Product { Id = 3, Sku = "C" }).AsTask());
        yield return Case("PutManyAsync", static s => s.PutManyAsync([new Product { Id = 3, Sku = "C" }, new Product { Id = 4, Sku = "D" }]).AsTask());
        yield return Case("DeleteAsync", static s => s.DeleteAsync(EntityKey.For<Product>(1)).AsTask());
        yield return Case("DeleteManyAsync", static s => s.DeleteManyAsync([EntityKey.For<Product>(1), EntityKey.For<Product>(2)]).AsTask());
    }

    [TestCaseSource(nameof(Operations))]
    public async Task MemoryStore_AfterDispose_Throws(Func<ObjectStore, Task> operation)
    {
        var store = new MemoryStore();

        await AssertThrowsAfterDisposeAsync(store, operation, "a memory store holds memory: disposing it releases it");
        Assert.That(store.Count, Is.Zero, "what it held is released");
    }

    [TestCaseSource(nameof(Operations))]
    public Task ScopedStore_AfterDispose_Throws(Func<ObjectStore, Task> operation) =>
        AssertThrowsAfterDisposeAsync(new ScopedStore(), operation, "a scoped store ends with its scope");

    [TestCaseSource(nameof(Operations))]
    public async Task KeyValueObjectStore_AfterDispose_ThrowsAndTouchesNothing(Func<ObjectStore, Task> operation)
    {
        var store = new ReleasingKeyValueStore();
        await store.PutAsync(new Product { Id = 1, Sku = "A" });
        store.Dispose();
        var calls = store.PrimitiveCalls;

        Assert.ThrowsAsync<ObjectDisposedException>(() => operation(store));
        Assert.That(store.PrimitiveCalls, Is.EqualTo(calls), "nothing may be read or written after dispose");
        Assert.That(store.Entries, Is.Empty);
    }

    [Test]
    public void MemoryStore_DisposeTwice_IsHarmless()
    {
        var store = new MemoryStore();
        ((IDisposable)(object)store).Dispose();

        Assert.DoesNotThrow(() => ((IDisposable)(object)store).Dispose());
    }

    private static async Task AssertThrowsAfterDisposeAsync(ObjectStore store, Func<ObjectStore, Task> operation, string why)
    {
        await store.PutAsync(new Product { Id = 1, Sku = "A" });

        Assert.That(store, Is.InstanceOf<IDisposable>(), why);
        ((IDisposable)store).Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(() => operation(store));
        Assert.ThrowsAsync<ObjectDisposedException>(() => store.ClearAsync().AsTask());
    }

    private static TestCaseData Case(string name, Func<ObjectStore, Task> operation) => new TestCaseData(operation).SetArgDisplayNames(name);
}
