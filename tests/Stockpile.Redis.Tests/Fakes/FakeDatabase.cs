using System.Collections.Concurrent;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>
/// Stands in for a database at the bottom of a chain: the source of truth (never evicted nor cleared by the chain),
/// keeping copies, shared by the "app instances" of a test.
/// </summary>
/// <param name="polymorphic">Whether an object is found as any type that shares its key (a <c>Car</c> as an <c>Automobile</c>).</param>
internal sealed class FakeDatabase(bool polymorphic = false) : KeyValueObjectStore(new KeyValueObjectStoreOptions { Name = "database", DefaultLifetime = Timeout.InfiniteTimeSpan, Polymorphic = polymorphic })
{
    private readonly ConcurrentDictionary<string, byte[]> _rows = new(StringComparer.Ordinal);

    public override bool IsSourceOfTruth => true;

    /// <summary>Gets or sets what every read awaits before it answers (a test holding a read while a write lands); <see langword="null"/> for none.</summary>
    public Func<Task>? BeforeRead { get; set; }

    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) =>
        BeforeRead is { } before ? ReadAfterAsync(before(), key) : new(_rows.TryGetValue(key, out var value) ? value : null);

    private async ValueTask<byte[]?> ReadAfterAsync(Task before, string key)
    {
        await before;
        return _rows.TryGetValue(key, out var value) ? value : null;
    }

    protected override ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken)
    {
        _rows[write.Key] = write.Value.ToArray();
        return default;
    }

    protected override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) => new(_rows.TryRemove(key, out _));
}
