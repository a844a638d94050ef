namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>No [StockpileKey]: its keys come from the EF model (primary key Id, unique index on Code).</summary>
public class Warehouse
{
    public int Id { get; set; }

    public string Code { get; set; } = "";

    public string City { get; set; } = "";
}
