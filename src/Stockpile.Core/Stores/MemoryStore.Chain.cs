using Stockpile.Internal.Memory;

namespace Stockpile;

public sealed partial class MemoryStore
{
    /// <summary>
    /// A read by primary key for a chain whose top tier this store is: the same look-up as
    /// <see cref="GetByPrimaryKeyCoreAsync{T, TKey}"/>, without a second virtual generic dispatch on the chain's hottest
    /// path. Returns <see langword="false"/> when <typeparamref name="TKey"/> is not the key's exact type (the chain then
    /// takes the ordinary path).
    /// </summary>
    internal bool TryGetByPrimaryKey<T, TKey>(TKey primaryKey, out T? value)
        where T : class
        where TKey : notnull
    {
        if (ViewOf<T>().Indexes[0] is MemoryKeyIndex<TKey> index)
        {
            value = index.Entries.TryGetValue(primaryKey, out var entry) ? Read(entry) as T : null;
            return true;
        }

        value = null;
        return false;
    }
}
