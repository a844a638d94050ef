using System.Collections.Concurrent;
using System.Text;

namespace Stockpile.Tests.Fakes;

/// <summary>
/// A custom store whose backing store keys are UTF-8 bytes, as Redis's are: a key string is converted with the
/// standard encoder (invalid text becomes U+FFFD), exactly what a client library does on the way to the server.
/// </summary>
/// <param name="serializer">The serializer; <see langword="null"/> for the default.</param>
public sealed class Utf8KeyValueStore(IStockpileSerializer? serializer = null) : KeyValueObjectStore(new KeyValueObjectStoreOptions { Serializer = serializer })
{
    public ConcurrentDictionary<string, byte[]> EntriesByHexKey { get; } = new();

    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) =>
        new(EntriesByHexKey.TryGetValue(Hex(key), out var value) ? value : null);

    protected override ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken)
    {
        EntriesByHexKey[Hex(write.Key)] = write.Value.ToArray();
        return default;
    }

    protected override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        new(EntriesByHexKey.TryRemove(Hex(key), out _));

    private static string Hex(string key) => Convert.ToHexString(Encoding.UTF8.GetBytes(key));
}
