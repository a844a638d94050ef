namespace Stockpile.Samples.MinimalApi;

/// <summary>A catalog item, found by id or by SKU.</summary>
public sealed class CatalogItem
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public decimal Price { get; set; }
}
