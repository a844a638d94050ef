namespace Stockpile.Redis.Tests;

/// <summary>A database row for the tests that run the full chain (memory → Redis → EF Core) or a stand-in for it.</summary>
public class Row
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";
}
