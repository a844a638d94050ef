namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An alternate key on a case-insensitive column.</summary>
public class Tag
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";
}
