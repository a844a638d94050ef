using System.Buffers.Text;
using Stockpile.Internal.Caching;

namespace Stockpile;

public sealed partial class StockpileCache
{
    /// <inheritdoc/>
    public async ValueTask<long> IncrementAsync(string key, long delta = 1, CancellationToken cancellationToken = default)
    {
        var entry = await _tier.UpdateAsync(
            CheckKey(key),
            current => current is null
                ? new CacheEntry(delta, null, null, long.MaxValue, null)
                : new CacheEntry(checked(IntegerOf(key, current) + delta), null, current.ExpiresAt, current.Deadline, current.Tags),
            cancellationToken).ConfigureAwait(false);
        return (long)entry.Instance!;
    }

    /// <summary>The integer a counter holds: one set as a number, or serialized as one (JSON writes integers as plain digits, as Redis's INCR stores them).</summary>
    private static long IntegerOf(string key, CacheEntry entry)
    {
        switch (entry.Instance)
        {
            case long l:
                return l;
            case int i:
                return i;
            case short s:
                return s;
            case byte b:
                return b;
        }

        if (entry.Bytes is { } bytes && Utf8Parser.TryParse(bytes, out long parsed, out var consumed) && consumed == bytes.Length)
        {
            return parsed;
        }

        throw new InvalidOperationException($"Stockpile cache key '{key}' holds a value that is not an integer, so it cannot be incremented.");
    }
}
