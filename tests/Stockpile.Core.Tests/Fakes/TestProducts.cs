using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Fakes;

/// <summary>Products for store tests: id N has SKU "SKU-N" unless told otherwise.</summary>
public static class TestProducts
{
    public static Product New(int id, string? name = null, string? sku = null) =>
        new() { Id = id, Sku = sku ?? $"SKU-{id}", Name = name ?? $"Product {id}" };

    public static EntityKey BySku(string sku) => EntityKey.Of<Product>(nameof(Product.Sku), sku);

    /// <summary>Reads one product from a store by the given path.</summary>
    public static async Task<Product?> ReadAsync(ObjectStore store, ReadPath path, Product product) => path switch
    {
        ReadPath.PrimaryKeyValue => await store.GetAsync<Product, int>(product.Id),
        ReadPath.EntityKey => await store.GetAsync<Product>(EntityKey.For<Product>(product.Id)),
        ReadPath.AlternateKey => await store.GetAsync<Product>(BySku(product.Sku)),
        _ => (await store.GetManyAsync<Product>([EntityKey.For<Product>(product.Id)])).Single(),
    };
}
