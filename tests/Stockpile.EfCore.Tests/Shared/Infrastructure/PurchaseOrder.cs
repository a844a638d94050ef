namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>No [StockpileKey]: keys come from the model, the primary key being a strongly typed id.</summary>
public class PurchaseOrder
{
    public OrderId Id { get; set; }

    public string Number { get; set; } = "";

    public decimal Total { get; set; }
}
