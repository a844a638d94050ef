namespace Stockpile.Benchmarks;

/// <summary>The benchmarked entity: an integer primary key and a string alternate key, like most catalog data.</summary>
public sealed class Product
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public decimal Price { get; set; }
}
