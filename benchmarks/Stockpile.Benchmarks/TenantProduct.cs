namespace Stockpile.Benchmarks;

/// <summary><see cref="Product"/> with a tenant that tags it (<c>tenant:&lt;TenantId&gt;</c>): the same shape, so a tagged and an untagged type are measured side by side.</summary>
public sealed class TenantProduct
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Sku { get; set; } = "";

    [StockpileTag("tenant")]
    public int TenantId { get; set; }

    public string Name { get; set; } = "";

    public decimal Price { get; set; }
}
