namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An aggregate root with owned types at every depth, an owned collection, a JSON-mapped owned type and a complex property.</summary>
public class Shopper
{
    [StockpileKey]
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public ShopperAddress Address { get; set; } = new();

    public List<ShopperPhone> Phones { get; set; } = [];

    public ShopperPreferences Preferences { get; set; } = new();

    public Money Budget { get; set; } = new();
}
