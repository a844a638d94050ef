using System.Collections.Concurrent;

namespace Stockpile.Tests.Fakes;

/// <summary>The smallest custom store: three primitives over a dictionary, everything else from <see cref="KeyValueObjectStore"/>.</summary>
public sealed class DictionaryKeyValueStore(KeyValueObjectStoreOptions? options = null) : KeyValueObjectStore(options ?? new KeyValueObjectStoreOptions())
{
    public ConcurrentDictionary<string, byte[]> Entries { get; } = new();

    public int Reads { get; private set; }

    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        Reads++;
        return new(Entries.TryGetValue(key, out var value) ? value : null);
    }

    protected override ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken)
    {
        Entries[write.Key] = write.Value.ToArray();
        return default;
    }

    protected override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) => new(Entries.TryRemove(key, out _));
}
