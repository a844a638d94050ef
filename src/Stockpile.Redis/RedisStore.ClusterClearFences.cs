using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// On a cluster, a late put's object script can read only keys of its object's slot, and the clear fence lives in
/// another: so a clear also fences every slot (<see cref="RedisKeyPatterns.SlotClearFenceKey"/>, one <c>SET</c> per
/// slot with the clear's time, kept for the fence lifetime), and a put's object script reads its slot's fence when the
/// put arrived late (issue 9, lane gaps7). A put in time reads nothing more: the clear's cost is 16,384 pipelined
/// <c>SET</c>s, paid by the clear (which scans every key anyway), not by the puts.
/// </content>
public sealed partial class RedisStore
{
    private RedisSlotFence? _slotClearFence;

    private RedisSlotFence SlotClearFence => _slotClearFence ??= new(tag => RedisKeyPatterns.SlotClearFenceKey(KeyPrefix, tag));

    /// <summary>Gets the clear fence key of the slot of <paramref name="primary"/>.</summary>
    private string SlotClearFenceKey(IDatabase database, string primary) => SlotClearFence.KeyInSlotOf(database.Multiplexer, primary);

    /// <summary>Fences a clear in every slot of the cluster with the clear's time (µs, as the clear fence holds it).</summary>
    private ValueTask FenceEverySlotAsync(IDatabase database, string clearedAt, CancellationToken cancellationToken) =>
        SlotClearFence.SetInEverySlotAsync(database, clearedAt, TimeSpan.FromMilliseconds(RedisScripts.FenceMilliseconds), cancellationToken);
}
