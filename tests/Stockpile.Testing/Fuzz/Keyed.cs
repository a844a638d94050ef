namespace Stockpile.Testing.Fuzz;

/// <summary>
/// An entity whose primary key is of type <typeparamref name="TKey"/> (one per supported key type), with a string
/// alternate key and a text and a byte payload: what the randomized round trips put and read back.
/// </summary>
/// <typeparam name="TKey">The primary key's type.</typeparam>
public sealed class Keyed<TKey>
    where TKey : notnull
{
    [StockpileKey]
    public TKey Id { get; set; } = default!;

    [StockpileKey]
    public string Alt { get; set; } = "";

    public string Text { get; set; } = "";

    public byte[] Blob { get; set; } = [];

    public override string ToString() => $"Keyed<{typeof(TKey).Name}> {FuzzText.Describe(Id)} alt {FuzzText.Describe(Alt)} text {FuzzText.Describe(Text)} blob {Blob.Length} bytes";
}
