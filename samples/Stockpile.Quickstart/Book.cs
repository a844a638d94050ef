namespace Stockpile.Quickstart;

/// <summary>A book: found by its id, its ISBN, or where it stands (shelf and position).</summary>
[StockpileKey(nameof(Shelf), nameof(Position), Name = "Location")]
public sealed class Book
{
    // Keys on the class come before keys on properties, so the primary key is marked explicitly.
    [StockpileKey(IsPrimary = true)]
    public int Id { get; set; }

    [StockpileKey]
    public string Isbn { get; set; } = "";

    public string Title { get; set; } = "";

    public string Shelf { get; set; } = "";

    public int Position { get; set; }
}
