using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// A hash tag for every Redis Cluster slot: a short string whose slot is that slot, so the store can name a key in any
/// slot it needs (the clear fence each slot keeps, see <see cref="RedisKeyPatterns.SlotClearFenceKey"/>). Found once per
/// process by trying numbers in base 36 (about 170,000 tries for the 16,384 slots, a few milliseconds), with the
/// multiplexer's own slot function.
/// </summary>
internal static class RedisSlotTags
{
    /// <summary>The number of hash slots of a Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private static string[]? s_tags;

    /// <summary>Gets the tags, slot by slot (found the first time).</summary>
    public static string[] Get(IConnectionMultiplexer multiplexer) => s_tags ??= Find(multiplexer);

    private static string[] Find(IConnectionMultiplexer multiplexer)
    {
        var tags = new string[SlotCount];
        var found = 0;
        for (var n = 0L; found < SlotCount; n++)
        {
            var tag = Base36(n);
            var slot = multiplexer.HashSlot(tag);
            if (tags[slot] is null)
            {
                tags[slot] = tag;
                found++;
            }
        }

        return tags;
    }

    private static string Base36(long n)
    {
        Span<char> digits = stackalloc char[13];
        var i = digits.Length;
        do
        {
            var d = (int)(n % 36);
            digits[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
            n /= 36;
        }
        while (n > 0);

        return new string(digits[i..]);
    }
}
