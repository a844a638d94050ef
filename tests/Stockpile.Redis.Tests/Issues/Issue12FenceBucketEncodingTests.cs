using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 8 (a save of 100 rows within 1.25x of the plain save), session 7: the server spent most of the
/// eviction script of 100 objects in its one <c>HSET</c> of 200 fences (INFO commandstats: <c>hset</c> 161 µs of the
/// script's 390 µs per call). A fence bucket of fewer fields than <c>hash-max-listpack-entries</c> (128 by default,
/// 512 on the test servers) is a listpack, where each field set scans the fields already there: 200 fences into a
/// bucket of 200 cost ten times what they cost in a hash table. The call that starts a bucket now makes it a hash table
/// (one field named with the empty string, which no key can be, holding a value longer than
/// <c>hash-max-listpack-value</c>; keys of a short prefix are shorter than that, so their fields never made the
/// conversion themselves). Pinned by the encoding the server reports, and the fences still read back.
/// </summary>
public sealed class Issue12FenceBucketEncodingTests
{
    [Test]
    public async Task PutAndDeleteMany_StartABucket_BucketIsAHashTable_FencesReadBack()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var database = connection.GetDatabase();
        // A short prefix, as applications use: keys of the test's usual prefix are longer than hash-max-listpack-value
        // (64 bytes by default), which makes any bucket of them a hash table from its first field.
        var prefix = $"f{Guid.NewGuid():N}"[..9] + ":";
        await using var store = TestStores.Create(connection, o => o.KeyPrefix = prefix);
        var products = Enumerable.Range(0, 100).Select(_ => TestStores.NewProduct()).ToArray();

        var before = await FenceBuckets.ServerMicrosecondsAsync(database);
        await store.PutAsync(products[0]);
        await store.DeleteManyAsync(products.SelectMany(p => new[] { EntityKey.For<Product>(p.Id), EntityKey.Of<Product>(nameof(Product.Sku), p.Sku) }).ToArray());
        var after = await FenceBuckets.ServerMicrosecondsAsync(database);

        var buckets = new List<string>();
        for (var bucket = FenceBuckets.Bucket(before); bucket <= FenceBuckets.Bucket(after); bucket++)
        {
            var key = RedisKeyPatterns.FenceBucketKey(prefix, bucket);
            if (await database.KeyExistsAsync(key))
            {
                buckets.Add((string?)await database.ExecuteAsync("OBJECT", "ENCODING", key) ?? "(none)");
            }
        }

        Assert.That(buckets, Is.Not.Empty.And.All.EqualTo("hashtable"), "every bucket the calls started is a hash table");
        var keys = products.Select(p => TestStores.KeyOf(prefix, EntityKey.For<Product>(p.Id))).ToArray();
        var fences = await FenceBuckets.FencesAsync(database, prefix, keys, FenceBuckets.Bucket(before), FenceBuckets.Bucket(after));
        Assert.That(fences, Has.All.InRange(before, after), "every key deleted is fenced with the delete's time");
    }
}
