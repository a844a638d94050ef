namespace Stockpile.Internal.Keys;

/// <summary>
/// Compares look-ups by the type that declares their key, the key's name and its values, not by the type looked up:
/// a <c>Car</c> and an <c>Automobile</c> by the same inherited <c>Id</c> name the same object (the key a polymorphic
/// store files it under). The chain's set of objects being evicted behind a save uses it, so a read by a base or
/// derived type's key still finds the object evicted.
/// </summary>
internal sealed class DeclaredKeyComparer : IEqualityComparer<EntityKey>
{
    public static DeclaredKeyComparer Instance { get; } = new();

    public bool Equals(EntityKey? x, EntityKey? y) =>
        ReferenceEquals(x, y)
        || (x is not null && y is not null
            && x.Key.DeclaringType == y.Key.DeclaringType && x.Key.Name == y.Key.Name && x.ValueSpan.SequenceEqual(y.ValueSpan));

    public int GetHashCode(EntityKey obj)
    {
        var hash = new HashCode();
        hash.Add(obj.Key.DeclaringType);
        hash.Add(obj.Key.Name);
        foreach (var value in obj.ValueSpan)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }
}
