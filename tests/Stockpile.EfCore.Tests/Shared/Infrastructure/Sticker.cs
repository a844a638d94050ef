namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Only a parameterized constructor, which EF Core binds to its properties.</summary>
public sealed class Sticker
{
    public Sticker(int id, string label)
    {
        Id = id;
        Label = label;
    }

    [StockpileKey]
    public int Id { get; private set; }

    public string Label { get; private set; }
}
