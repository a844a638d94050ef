using System.Collections.Concurrent;

namespace Stockpile.Tests.Fakes;

/// <summary>A custom store that holds a resource (here: its dictionary) and releases it when disposed.</summary>
public sealed class ReleasingKeyValueStore() : KeyValueObjectStore(new KeyValueObjectStoreOptions()), IDisposable
{
    public ConcurrentDictionary<string, byte[]> Entries { get; } = new();

    public int PrimitiveCalls { get; private set; }

    public void Dispose()
    {
        if (TryMarkDisposed())
        {
            Entries.Clear();
        }
    }

    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        PrimitiveCalls++;
        return new(Entries.TryGetValue(key, out var value) ? value : null);
    }

    protected override ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken)
    {
        PrimitiveCalls++;
        Entries[write.Key] = write.Value.ToArray();
        return default;
    }

    protected override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        PrimitiveCalls++;
        return new(Entries.TryRemove(key, out _));
    }
}
