namespace Stockpile.Internal.Memory;

/// <summary>The values of a composite key, compared element by element.</summary>
internal readonly struct CompositeKeyValue : IEquatable<CompositeKeyValue>
{
    private readonly object[] _values;
    private readonly int _hash;

    public CompositeKeyValue(object[] values)
    {
        _values = values;
        _hash = KeyValuesComparer.Instance.GetHashCode(values);
    }

    public bool Equals(CompositeKeyValue other) => _hash == other._hash && KeyValuesComparer.Instance.Equals(_values, other._values);

    public override bool Equals(object? obj) => obj is CompositeKeyValue other && Equals(other);

    public override int GetHashCode() => _hash;
}
