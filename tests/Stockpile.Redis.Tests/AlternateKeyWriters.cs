using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>Writers that move alternate keys among a few objects at random: puts, batch puts, deletes by either key, and reads.</summary>
internal static class AlternateKeyWriters
{
    /// <summary>Runs <paramref name="workers"/> writers, each on the store <c>worker % stores.Count</c>, for <paramref name="rounds"/> operations.</summary>
    public static Task RunAsync(IReadOnlyList<RedisStore> stores, int[] ids, string[] skus, int workers, int rounds) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var store = stores[worker % stores.Count];
            for (var round = 0; round < rounds; round++)
            {
                var id = ids[random.Next(ids.Length)];
                switch (random.Next(10))
                {
                    case < 6:
                        await store.PutAsync(new Product { Id = id, Sku = skus[random.Next(skus.Length)], Name = $"w{worker}r{round}" });
                        break;
                    case < 7:
                        await store.PutManyAsync([
                            new Product { Id = id, Sku = skus[random.Next(skus.Length)] },
                            new Product { Id = ids[random.Next(ids.Length)], Sku = skus[random.Next(skus.Length)] }]);
                        break;
                    case < 8:
                        await store.DeleteAsync(EntityKey.For<Product>(id));
                        break;
                    case < 9:
                        await store.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), skus[random.Next(skus.Length)]));
                        break;
                    default:
                        await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), skus[random.Next(skus.Length)]));
                        break;
                }
            }
        })));
}
