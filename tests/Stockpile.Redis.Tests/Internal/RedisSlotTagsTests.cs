using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Cluster;

namespace Stockpile.Redis.Tests.Internal;

public sealed class RedisSlotTagsTests
{
    /// <summary>A clear fences every slot through these keys: each must land in its own slot, or a late put's script would read another slot's fence (or none).</summary>
    [Test]
    public async Task Get_EverySlotsClearFenceKey_HashesToThatSlot()
    {
        var (_, multiplexer) = await RedisClusterEnvironment.GetAsync();

        var tags = RedisSlotTags.Get(multiplexer);

        Assert.That(tags, Has.Length.EqualTo(RedisSlotTags.SlotCount));
        var wrong = Enumerable.Range(0, tags.Length)
            .Where(slot => multiplexer.HashSlot(RedisKeyPatterns.SlotClearFenceKey("app:", tags[slot])) != slot)
            .ToList();
        Assert.That(wrong, Is.Empty, "slots whose clear fence key hashes elsewhere");
        Assert.That(RedisKeyPatterns.IsObjectKey("app:", RedisKeyPatterns.SlotClearFenceKey("app:", tags[0])), Is.False, "not of the object shape: no clear removes it");
    }
}
