namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Declares Code unique; its table is created without the unique index, so duplicates can be made.</summary>
public class Gadget
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Code { get; set; } = "";
}
