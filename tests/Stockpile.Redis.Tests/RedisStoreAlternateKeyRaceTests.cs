using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Many writers on several connections (as several app instances would be) move alternate keys among objects at once;
/// afterwards every entry must agree with every other.
/// </summary>
public sealed class RedisStoreAlternateKeyRaceTests
{
    [Test]
    public async Task ConcurrentPutsAndDeletes_MovingAlternateKeys_LeaveConsistentEntries()
    {
        await using var instances = await SeparateInstanceStores.StartAsync(4);
        var (prefix, stores) = (instances.Prefix, instances.Stores);

        var ids = Enumerable.Range(1, 10).ToArray();
        var skus = Enumerable.Range(0, 6).Select(i => $"S{i}").ToArray();
        await AlternateKeyWriters.RunAsync(stores, ids, skus, workers: 16, rounds: 150);

        var check = instances.Connections[0];
        var reader = stores[0];
        var keys = await TestStores.KeysUnderAsync(check, prefix);
        var primaries = keys.Where(k => k.Contains("|Id|", StringComparison.Ordinal) && !k.EndsWith(RedisScripts.SideRecordSuffix, StringComparison.Ordinal)).ToHashSet();
        var pointers = keys.Where(k => k.Contains("|Sku|", StringComparison.Ordinal)).ToList();
        var sides = keys.Where(k => k.EndsWith(RedisScripts.SideRecordSuffix, StringComparison.Ordinal)).ToList();
        Assert.That(primaries.Count + pointers.Count + sides.Count, Is.EqualTo(keys.Count), "no other kind of key");

        foreach (var pointer in pointers)
        {
            var target = ((string)(await check.GetDatabase().StringGetAsync(pointer))!)[1..];
            Assert.That(primaries, Does.Contain(target), $"{pointer} points at a missing object");
            Assert.That(await check.GetDatabase().SetContainsAsync(target + RedisScripts.SideRecordSuffix, pointer), Is.True, $"{target} does not list {pointer}");
        }

        foreach (var side in sides)
        {
            var primary = side[..^RedisScripts.SideRecordSuffix.Length];
            Assert.That(primaries, Does.Contain(primary), $"side record {side} outlived its object");
            foreach (var member in (await check.GetDatabase().SetMembersAsync(side)).Select(m => (string)m!))
            {
                Assert.That((string?)await check.GetDatabase().StringGetAsync(member), Is.EqualTo("P" + primary), $"{primary} lists {member}, which points elsewhere");
            }
        }

        var owners = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            if (await reader.GetAsync<Product, int>(id) is not { } product)
            {
                continue;
            }

            Assert.That(owners.TryAdd(product.Sku, id), Is.True, $"{product.Sku} is held by {owners.GetValueOrDefault(product.Sku)} and {id}");
            Assert.That((await reader.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Id, Is.EqualTo(id), $"{product.Sku} does not resolve to {id}, which holds it");
        }

        foreach (var sku in skus.Where(s => !owners.ContainsKey(s)))
        {
            Assert.That(await reader.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku)), Is.Null, $"{sku} resolves though no object holds it");
        }

        Assert.That(pointers, Has.Count.EqualTo(owners.Count), "one pointer per held alternate key, none dangling");

        await reader.DeleteManyAsync(ids.Select(id => EntityKey.For<Product>(id)));
        Assert.That(await TestStores.KeysUnderAsync(check, prefix), Is.Empty, "deleting every object leaves no entry behind");
    }
}
