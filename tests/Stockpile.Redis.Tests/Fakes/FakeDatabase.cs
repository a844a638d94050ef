using System.Collections.Concurrent;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>
/// Stands in for a database at the bottom of a chain: the source of truth (never evicted nor cleared by the chain),
/// keeping copies, shared by the "app instances" of a test.
/// </summary>
internal sealed class FakeDatabase() : KeyValueObjectStore(new KeyValueObjectStoreOptions { Name = "database", DefaultLifetime = Timeout.InfiniteTimeSpan })
{
    private readonly ConcurrentDictionary<string, byte[]> _rows = new(StringComparer.Ordinal);

    public override bool IsSourceOfTruth => true;

    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) =>
        new(_rows.TryGetValue(key, out var value) ? value : null);

    protected override ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken)
    {
        _rows[write.Key] = write.Value.ToArray();
        return default;
    }

    protected override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) => new(_rows.TryRemove(key, out _));
}
