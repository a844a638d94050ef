namespace Stockpile;

public sealed partial class MemoryStore
{
    // Counted under the write lock where the objects are removed; read without it by the metrics' observable counter.
    private long _sizeEvictions;
    private long _expirations;

    /// <summary>Gets how many objects were evicted to make room under <see cref="MemoryStoreOptions.SizeLimit"/>.</summary>
    internal long SizeEvictions => Volatile.Read(ref _sizeEvictions);

    /// <summary>Gets how many objects were removed because their lifetime ended.</summary>
    internal long Expirations => Volatile.Read(ref _expirations);
}
