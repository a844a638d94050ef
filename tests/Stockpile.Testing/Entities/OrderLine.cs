namespace Stockpile.Testing.Entities;

/// <summary>A composite primary key and a Guid alternate key.</summary>
[StockpileKey(nameof(OrderId), nameof(LineNumber))]
public class OrderLine
{
    public int OrderId { get; set; }

    public int LineNumber { get; set; }

    [StockpileKey]
    public Guid LineId { get; set; }

    public string Product { get; set; } = "";

    public int Quantity { get; set; }
}
