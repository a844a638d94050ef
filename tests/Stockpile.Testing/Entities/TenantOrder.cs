namespace Stockpile.Testing.Entities;

/// <summary>An entity tagged by its tenant through <see cref="StockpileTagAttribute"/>: <c>tenant:&lt;TenantId&gt;</c>; a nullable region tags it too when set.</summary>
public class TenantOrder
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Number { get; set; } = "";

    [StockpileTag("tenant")]
    public int TenantId { get; set; }

    [StockpileTag("region")]
    public string? Region { get; set; }

    public string Note { get; set; } = "";

    public override string ToString() => $"TenantOrder {Id} {Number} tenant {TenantId} {Note}";
}
