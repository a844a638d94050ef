namespace Stockpile.Testing.Fuzz;

/// <summary>An entity with a composite primary key of two strings, whose parts can trade separators.</summary>
[StockpileKey(nameof(Left), nameof(Right))]
public sealed class KeyedPair
{
    public string Left { get; set; } = "";

    public string Right { get; set; } = "";

    [StockpileKey]
    public string Alt { get; set; } = "";

    public string Text { get; set; } = "";

    public byte[] Blob { get; set; } = [];

    public override string ToString() => $"KeyedPair {FuzzText.Describe(Left)} / {FuzzText.Describe(Right)} alt {FuzzText.Describe(Alt)} text {FuzzText.Describe(Text)} blob {Blob.Length} bytes";
}
