namespace Stockpile.Testing.Entities;

/// <summary>A string primary key and a nullable alternate key: a customer without an email is filed by code only.</summary>
public class Customer
{
    [StockpileKey]
    public string Code { get; set; } = "";

    [StockpileKey]
    public string? Email { get; set; }

    public string Name { get; set; } = "";
}
