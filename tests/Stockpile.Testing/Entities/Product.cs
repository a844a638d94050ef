namespace Stockpile.Testing.Entities;

/// <summary>An integer primary key and a string alternate key.</summary>
public class Product
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public decimal Price { get; set; }

    public override string ToString() => $"Product {Id} {Sku} {Name} {Price}";
}
