using System.Collections;

namespace Stockpile.Testing.Fuzz;

/// <summary>
/// The property every store keeps for any object: a put either stores it, so that a get by its primary key and by its
/// alternate key returns an equal object and a delete removes it from every tier, or fails with an exception that
/// names the type, the key and the reason, leaving nothing of the object in any tier (a chain's source of truth, which
/// is written first, may keep all of it when a cache tier below refused it).
/// </summary>
public static class RoundTrip
{
    /// <summary>Checks the property for one object on <paramref name="store"/>, whose tiers are <paramref name="tiers"/> (the store itself when it has none).</summary>
    /// <returns>Whether the put was refused.</returns>
    public static Task<bool> CheckAsync(ObjectStore store, IReadOnlyList<ObjectStore> tiers, object item) =>
        (Task<bool>)typeof(RoundTrip).GetMethod(nameof(CheckTypedAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(item.GetType()).Invoke(null, [store, tiers, item])!;

    private static async Task<bool> CheckTypedAsync<T>(ObjectStore store, IReadOnlyList<ObjectStore> tiers, T item)
        where T : class
    {
        var type = typeof(T);
        var key = EntityKey.FromEntity(item);
        var alternate = EntityKey.Of(type, "Alt", type.GetProperty("Alt")!.GetValue(item)!);
        try
        {
            await store.PutAsync(item);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            Assert.That(ex.GetType().Namespace, Is.EqualTo("Stockpile"), $"a refusal is one of Stockpile's exceptions, not {ex.GetType()}: {ex.Message}");
            Assert.That(ex.Message, Does.Contain(type.Name.Split('`')[0]), "the refusal names the type");
            foreach (var tier in tiers)
            {
                // A chain writes its source of truth first: when it took the object and a cache tier refused it (too
                // large for Redis), the source keeps the whole object, and the caller hears of the cache tier's refusal.
                if (tier.IsSourceOfTruth && await FindAsync<T>(tier, key) is { } kept)
                {
                    AssertSame(kept, item, $"the source of truth {tier.Name} holds all of the object or nothing");
                    continue;
                }

                Assert.That(await FindAsync<T>(tier, key), Is.Null, $"nothing of a refused put is left in {tier.Name} (by primary key)");
                Assert.That(await FindAsync<T>(tier, alternate), Is.Null, $"nothing of a refused put is left in {tier.Name} (by alternate key)");
            }

            return true;
        }

        AssertSame(await store.GetAsync<T>(key), item, "get by primary key");
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Keyed<>))
        {
            var byValue = (Task<T?>)typeof(RoundTrip).GetMethod(nameof(GetByValueAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type, type.GetGenericArguments()[0]).Invoke(null, [store, key.Values[0]])!;
            AssertSame(await byValue, item, "get by primary key value");
        }

        AssertSame(await store.GetAsync<T>(alternate), item, "get by alternate key");
        AssertSame((await store.GetManyAsync<T>([key, alternate]))[0], item, "batch get");
        foreach (var tier in tiers)
        {
            if (await tier.GetAsync<T>(key) is { } held)
            {
                AssertSame(held, item, $"{tier.Name} holds what was put");
            }
        }

        await store.DeleteAsync(item);
        foreach (var tier in tiers)
        {
            Assert.That(await tier.GetAsync<T>(key), Is.Null, $"deleted from {tier.Name} (by primary key)");
            Assert.That(await tier.GetAsync<T>(alternate), Is.Null, $"deleted from {tier.Name} (by alternate key)");
        }

        return false;
    }

    /// <summary>Looks an object up; a look-up the store refuses (a key it cannot hold) finds nothing.</summary>
    /// <summary>The store's hot path: a get by the primary key's value, with no look-up made.</summary>
    private static async Task<TItem?> GetByValueAsync<TItem, TKey>(ObjectStore store, object id)
        where TItem : class
        where TKey : notnull => await store.GetAsync<TItem, TKey>((TKey)id);

    private static async Task<T?> FindAsync<T>(ObjectStore tier, EntityKey key)
        where T : class
    {
        try
        {
            return await tier.GetAsync<T>(key);
        }
        catch (StockpileKeyException)
        {
            return null;
        }
    }

    /// <summary>Compares every property: byte arrays by content, strings ordinally, the rest by their own equality.</summary>
    private static void AssertSame(object? actual, object expected, string what)
    {
        Assert.That(actual, Is.Not.Null, $"{what}: found");
        Assert.That(actual!.GetType(), Is.EqualTo(expected.GetType()), $"{what}: type");
        foreach (var property in expected.GetType().GetProperties())
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            var same = want is IEnumerable wantItems and not string && got is IEnumerable gotItems
                ? (want is byte[] wantBytes && got is byte[] gotBytes ? wantBytes.AsSpan().SequenceEqual(gotBytes) : wantItems.Cast<object>().SequenceEqual(gotItems.Cast<object>()))
                : Equals(want, got);
            Assert.That(same, Is.True, $"{what}: {property.Name} was {FuzzText.Describe(want)}, read back {FuzzText.Describe(got)}");
        }
    }
}
