namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Loaded through lazy-loading proxies: EF Core hands out a generated subclass.</summary>
public class Shelf
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public virtual ICollection<Book> Books { get; set; } = [];
}
