namespace Stockpile.Internal;

/// <summary>Compares key value arrays item by item: composite keys in the memory store, rows matched to look-ups in the EF Core store.</summary>
internal sealed class KeyValuesComparer : IEqualityComparer<object[]>
{
    public static KeyValuesComparer Instance { get; } = new();

    public bool Equals(object[]? x, object[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(object[] obj)
    {
        var hash = new HashCode();
        foreach (var value in obj)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }
}
