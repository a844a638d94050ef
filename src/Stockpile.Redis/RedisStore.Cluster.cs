using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// On a Redis Cluster, no script may touch keys of two hash slots. Reads are split by slot and the per-slot reads run
/// together (about one round trip per node); a put or delete runs one script per slot it touches, the object's first
/// (see <see cref="RedisClusterScripts"/>). What stays atomic: everything about one object (value, side record,
/// fence), and everything about one alternate key (pointer, fence). What is made safe another way: a pointer is
/// followed only to an object that still holds the key's value (checked on every read), and an object is evicted for
/// a key only while its side record still lists that key.
/// </content>
public sealed partial class RedisStore
{
    private static readonly RedisResult s_putDone = RedisResult.Create(RedisValue.Null);

    /// <summary>The mode argument of the pointer script for a put (a back-fill passes its lease instead; the object script gets the put's stamp).</summary>
    private static readonly RedisValue s_putMode = "1";

    private readonly RedisTopology _topology = new();

    /// <summary>Returns whether the multiplexer talks to a cluster (decided once a server is connected).</summary>
    private bool IsCluster(IDatabase database) => _topology.IsCluster(database);

    /// <summary>Reads keys with one <c>GET</c> or <c>MGET</c>; on a cluster, one <c>MGET</c> per hash slot, all at once.</summary>
    private static async ValueTask<byte[]?[]> ReadPlainAsync(IDatabase database, IReadOnlyList<string> keys, bool cluster, CancellationToken cancellationToken)
    {
        if (keys.Count == 1)
        {
            return [(byte[]?)await database.StringGetAsync(keys[0]).WaitAsync(cancellationToken).ConfigureAwait(false)];
        }

        if (!cluster)
        {
            return Array.ConvertAll(await database.StringGetAsync(Keys(keys)).WaitAsync(cancellationToken).ConfigureAwait(false), static v => (byte[]?)v);
        }

        var values = new byte[]?[keys.Count];
        await foreach (var (index, value) in MultiGetBySlotAsync(database, Keys(keys), cancellationToken).ConfigureAwait(false))
        {
            values[index] = (byte[]?)value;
        }

        return values;
    }

    /// <summary>
    /// Reads keys on a cluster: one <c>MGET</c> per hash slot, all sent before any reply is awaited; yields each value
    /// with its key's position as its slot's reply comes in, so the caller works on the first replies while the others
    /// are on their way. Every read is awaited (unless the caller cancels), so none fails unobserved; the first failure is
    /// thrown at the end.
    /// </summary>
    internal static async IAsyncEnumerable<(int Index, RedisValue Value)> MultiGetBySlotAsync(IDatabase database, RedisKey[] keys, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Sorted by slot (then position), each run of one slot is one MGET: no dictionary or list per slot.
        var multiplexer = database.Multiplexer;
        var order = new (int Slot, int Index)[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = (multiplexer.HashSlot(keys[i]), i);
        }

        Array.Sort(order);
        var reads = new List<(Task<RedisValue[]> Read, int Start)>();
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && order[end].Slot == order[start].Slot)
            {
                end++;
            }

            var slotKeys = new RedisKey[end - start];
            for (var j = 0; j < slotKeys.Length; j++)
            {
                slotKeys[j] = keys[order[start + j].Index];
            }

            reads.Add((database.StringGetAsync(slotKeys), start));
            start = end;
        }

        // Awaited one by one, not with Task.WhenAll: an awaited task that is already complete costs nothing, while
        // WhenAll queues a continuation on every one of them.
        Exception? failure = null;
        foreach (var (read, start) in reads)
        {
            RedisValue[]? reply = null;
            try
            {
                reply = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }

            for (var j = 0; j < (reply?.Length ?? 0); j++)
            {
                yield return (order[start + j].Index, reply![j]);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Runs the read script once per hash slot, all at once; returns the values in order and the earliest server time (the lease).</summary>
    private static async ValueTask<(byte[]?[] Values, string Lease)> ReadBySlotAsync(IDatabase database, string[] keys, CancellationToken cancellationToken)
    {
        var values = new byte[]?[keys.Length];
        var times = await Task.WhenAll(BySlot(database, keys).Select(async indexes =>
        {
            var slotKeys = indexes.Select(i => (RedisKey)keys[i]).ToArray();
            var reply = (RedisResult[])(await RedisScripts.Read.EvaluateAsync(database, slotKeys, [], cancellationToken).ConfigureAwait(false))!;
            for (var j = 0; j < indexes.Count; j++)
            {
                values[indexes[j]] = (byte[]?)reply[j + 1];
            }

            return (string)reply[0]!;
        })).ConfigureAwait(false);
        return (values, times.Min(StringComparer.Ordinal)!);
    }

    /// <summary>Groups the indexes of keys by hash slot.</summary>
    private static Dictionary<int, List<int>>.ValueCollection BySlot(IDatabase database, string[] keys)
    {
        var multiplexer = database.Multiplexer;
        var slots = new Dictionary<int, List<int>>();
        for (var i = 0; i < keys.Length; i++)
        {
            var slot = multiplexer.HashSlot(keys[i]);
            if (!slots.TryGetValue(slot, out var indexes))
            {
                slots[slot] = indexes = [];
            }

            indexes.Add(i);
        }

        return slots.Values;
    }

    /// <summary>
    /// Puts or back-fills objects slot by slot. Takes the same keys and arguments as <see cref="RedisScripts.Put"/>:
    /// per object its primary key then alternate keys; after the lease, key prefix and stamp, per object its alternate
    /// key count, value and time to live. Each object's script checks a put's stamp against its own key's fence (the
    /// fences of its alternate keys live in other slots).
    /// </summary>
    private async ValueTask<RedisResult> PutOnClusterAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        var lease = (string)arguments[0]!;
        var stamped = (RedisValue)("=" + (string)arguments[2]!);
        var puts = new List<Task>();
        for (int k = 0, a = 3; a < arguments.Length;)
        {
            var count = (int)arguments[a];
            var primary = (string)keys[k]!;
            var alternates = new string[count];
            for (var j = 0; j < count; j++)
            {
                alternates[j] = (string)keys[k + 1 + j]!;
            }

            puts.Add(lease.Length == 0
                ? WriteObjectOnClusterAsync(database, primary, alternates, arguments[a + 1], (long)arguments[a + 2], stamped, s_putMode, cancellationToken)
                : BackfillObjectOnClusterAsync(database, primary, alternates, arguments[a + 1], (long)arguments[a + 2], lease, cancellationToken));
            k += count + 1;
            a += 3;
        }

        await Task.WhenAll(puts).ConfigureAwait(false);

        // Nobody reads what a put returns.
        return s_putDone;
    }

    /// <summary>
    /// Back-fills an object: only if no key of it was fenced (nor the store cleared) since the read. The scripts that
    /// write the object and each pointer check that key's own fence in the same step, so an eviction that lands after
    /// the first check is never overtaken by the write (issue 12: the older state sat in Redis until the second check,
    /// and a reader meanwhile took it into its memory tier). The fences of the other keys and the clear fence live in
    /// other slots: they are checked again after writing, and the object evicted if one was set meanwhile.
    /// </summary>
    private async Task BackfillObjectOnClusterAsync(IDatabase database, string primary, string[] alternates, RedisValue value, long ttl, string lease, CancellationToken cancellationToken)
    {
        if (!await FencesAllowAsync(database, primary, alternates, lease, cancellationToken).ConfigureAwait(false))
        {
            await EvictWithPointersOnClusterAsync(database, primary, alternates, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!await WriteObjectOnClusterAsync(database, primary, alternates, value, ttl, lease, lease, cancellationToken).ConfigureAwait(false)
            || !await FencesAllowAsync(database, primary, alternates, lease, cancellationToken).ConfigureAwait(false))
        {
            await EvictWithPointersOnClusterAsync(database, primary, alternates, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> FencesAllowAsync(IDatabase database, string primary, string[] alternates, string lease, CancellationToken cancellationToken)
    {
        if (lease == NoLease)
        {
            return false;
        }

        RedisValue[] arguments = [lease, RedisScripts.FenceMilliseconds, "0"];
        var checks = alternates.Prepend(primary).Select(key => FenceAllowsAsync(database, key + RedisKeyPatterns.FenceSuffix, arguments, cancellationToken))
            .Append(FenceAllowsAsync(database, ClearFenceKey, [lease, RedisScripts.FenceMilliseconds, "1"], cancellationToken));
        return (await Task.WhenAll(checks).ConfigureAwait(false)).All(static allowed => allowed);
    }

    /// <summary>Runs <see cref="RedisClusterScripts.FenceAllows"/> on one fence and takes in the node's time it returns (the clear fence's when it set it).</summary>
    private async Task<bool> FenceAllowsAsync(IDatabase database, string fence, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        var reply = (RedisResult[])(await RedisClusterScripts.FenceAllows.EvaluateAsync(database, [fence], arguments, cancellationToken).ConfigureAwait(false))!;
        _writeClock.Observe((string?)reply[1]);
        return (int)reply[0] == 1;
    }

    private async Task EvictWithPointersOnClusterAsync(IDatabase database, string primary, string[] alternates, CancellationToken cancellationToken)
    {
        var pointer = (RedisValue)("P" + primary);
        await EvictOnClusterAsync(database, primary, null, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(alternates.Select(alternate => UnlinkAsync(database, alternate, pointer, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes an object, then its pointers (evicting the objects that held them before), then removes its old pointers.
    /// For a put, <paramref name="objectMode"/> is <c>=</c> and its stamp (a late put is refused, its object evicted)
    /// and <paramref name="pointerMode"/> is <see cref="s_putMode"/> (every key fenced); for a back-fill both are its
    /// lease (each script refuses a key fenced since). Returns <see langword="false"/> when the object's script refused
    /// a back-fill (nothing was changed).
    /// </summary>
    /// <remarks>
    /// A put whose object script reached its node late (<see cref="RedisScripts.LatePutMilliseconds"/> after its stamp)
    /// cannot see there a delete by an alternate key alone that came after it (that key's fence lives in another slot):
    /// for an object with alternate keys the script evicts the object instead of writing it (status 4). A sender that
    /// gave up never hears of it, and the object stays evicted (a miss is safe); one still waiting (a busy link) puts
    /// again (<see cref="PutAgainAfterLateAsync"/>), otherwise removes the pointers as for a refused put (lane gaps8).
    /// </remarks>
    private async Task<bool> WriteObjectOnClusterAsync(IDatabase database, string primary, string[] alternates, RedisValue value, long ttl, RedisValue objectMode, RedisValue pointerMode, CancellationToken cancellationToken)
    {
        var reply = await PutObjectOnClusterAsync(database, primary, alternates, value, ttl, objectMode, pointerMode, cancellationToken).ConfigureAwait(false);
        var status = (int)reply[0];
        if (status == 0)
        {
            return false;
        }

        var old = OldAlternates(reply);
        if (status == LateWithAlternates)
        {
            (status, old) = await PutAgainAfterLateAsync(database, primary, alternates, value, ttl, ((string)objectMode!)[1..], old, cancellationToken).ConfigureAwait(false);
        }

        var written = status == 1;
        var pointer = (RedisValue)("P" + primary);
        var work = new List<Task>();
        if (written)
        {
            work.AddRange(alternates.Select(alternate => PointAsync(database, alternate, primary, pointer, ttl, pointerMode, cancellationToken)));
            work.AddRange(old.Except(alternates, StringComparer.Ordinal).Select(stale => UnlinkAsync(database, stale, pointer, cancellationToken)));
        }
        else
        {
            work.AddRange(old.Union(alternates, StringComparer.Ordinal).Select(stale => UnlinkAsync(database, stale, pointer, cancellationToken)));
        }

        await Task.WhenAll(work).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs <see cref="RedisClusterScripts.PutObject"/> for an object; takes in the server time of the fence it set.</summary>
    private async Task<RedisResult[]> PutObjectOnClusterAsync(IDatabase database, string primary, string[] alternates, RedisValue value, long ttl, RedisValue objectMode, RedisValue pointerMode, CancellationToken cancellationToken)
    {
        RedisValue[] objectArguments = [value, ttl, objectMode, RedisScripts.FenceMilliseconds, .. alternates.Select(a => (RedisValue)a)];
        RedisKey[] objectKeys = pointerMode != s_putMode
            ? ObjectKeys(primary)
            : [primary, primary + RedisKeyPatterns.SideRecordSuffix, primary + RedisKeyPatterns.FenceSuffix, SlotClearFenceKey(database, primary)];
        var reply = (RedisResult[])(await RedisClusterScripts.PutObject.EvaluateAsync(database, objectKeys, objectArguments, cancellationToken).ConfigureAwait(false))!;
        if ((int)reply[0] != 0)
        {
            _writeClock.Observe((string?)reply[2]);
        }

        return reply;
    }

    /// <summary>The old alternate keys a put's object script found in the side record: one not of the store's shape (corrupt, foreign) is never touched.</summary>
    private string[] OldAlternates(RedisResult[] reply) => [.. ((RedisResult[])reply[1]!).Select(r => (string)r!).Where(IsObjectKey)];

    /// <summary>The status of <see cref="RedisClusterScripts.PutObject"/> for a late put of an object with alternate keys (evicted: see <see cref="WriteObjectOnClusterAsync"/>).</summary>
    private const int LateWithAlternates = 4;

    /// <summary>Whether no alternate key was fenced after <paramref name="stamp"/> (µs), nor long enough after it that its fence may have expired.</summary>
    private async Task<bool> AlternatesUnfencedSinceAsync(IDatabase database, string[] alternates, string stamp, CancellationToken cancellationToken)
    {
        RedisValue[] arguments = [long.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture) + 1, RedisScripts.FenceMilliseconds, "0"];
        var checks = alternates.Select(key => FenceAllowsAsync(database, key + RedisKeyPatterns.FenceSuffix, arguments, cancellationToken));
        return (await Task.WhenAll(checks).ConfigureAwait(false)).All(static allowed => allowed);
    }

    /// <summary>Points an alternate key at an object; evicts the object that held the key before, if it still lists it.</summary>
    private async Task PointAsync(IDatabase database, string alternate, string primary, RedisValue pointer, long ttl, RedisValue mode, CancellationToken cancellationToken)
    {
        var reply = await RedisClusterScripts.PutPointer.EvaluateAsync(database, [alternate, alternate + RedisKeyPatterns.FenceSuffix], [pointer, ttl, mode, RedisScripts.FenceMilliseconds], cancellationToken).ConfigureAwait(false);
        if (reply.IsNull)
        {
            // A back-fill refused: nothing written, nothing fenced.
            return;
        }

        var parts = (RedisResult[])reply!;
        _writeClock.Observe((string?)parts[1]);
        if (!parts[0].IsNull && (string)parts[0]! is { } owner && owner != primary && IsObjectKey(owner))
        {
            await EvictOnClusterAsync(database, owner, alternate, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes objects by look-ups, slot by slot; returns how many the first <paramref name="counted"/> look-ups removed.</summary>
    private async ValueTask<int> DeleteOnClusterAsync(IDatabase database, IReadOnlyList<string> keys, int counted, CancellationToken cancellationToken)
    {
        var removed = await Task.WhenAll(keys.Select(async key =>
        {
            var lookup = (RedisResult[])(await RedisClusterScripts.Lookup.EvaluateAsync(database, [key, key + RedisKeyPatterns.FenceSuffix], [RedisScripts.FenceMilliseconds], cancellationToken).ConfigureAwait(false))!;
            _writeClock.Observe((string?)lookup[1]);
            var held = lookup[0];
            if (held.IsNull)
            {
                return await EvictOnClusterAsync(database, key, null, cancellationToken).ConfigureAwait(false);
            }

            var owner = ((string)held!)[1..];
            if (!IsObjectKey(owner))
            {
                // A pointer naming a key not of the store's shape (corrupt, foreign): remove it, never touch that key.
                await UnlinkPointerAsync(database, key, (RedisValue)(string)held!, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            var evicted = await EvictOnClusterAsync(database, owner, key, cancellationToken).ConfigureAwait(false);
            if (evicted < 0)
            {
                // A stale pointer: the object no longer lists the key. Remove the pointer, keep the object.
                await UnlinkAsync(database, key, (RedisValue)(string)held!, cancellationToken).ConfigureAwait(false);
            }

            return evicted;
        })).ConfigureAwait(false);
        return removed.Take(counted).Count(r => r > 0);
    }

    /// <summary>Evicts an object (only if it lists <paramref name="listing"/>, when given) and its pointers; 1 if removed, 0 if absent, -1 if it no longer lists the key.</summary>
    private async Task<int> EvictOnClusterAsync(IDatabase database, string primary, string? listing, CancellationToken cancellationToken)
    {
        var reply = await RedisClusterScripts.EvictObject.EvaluateAsync(database, ObjectKeys(primary), listing is null ? [RedisScripts.FenceMilliseconds] : [RedisScripts.FenceMilliseconds, listing], cancellationToken).ConfigureAwait(false);
        if (reply.IsNull)
        {
            return -1;
        }

        var parts = (RedisResult[])reply!;
        _writeClock.Observe((string?)parts[2]);
        var pointer = (RedisValue)("P" + primary);
        await Task.WhenAll(((RedisResult[])parts[1]!).Select(member => (string)member!).Where(IsObjectKey).Select(member => UnlinkAsync(database, member, pointer, cancellationToken))).ConfigureAwait(false);
        return (int)parts[0];
    }

    /// <summary>
    /// Removes an alternate key's pointer to an object (if it still points there), and puts it back if the object lists
    /// the key after all. The step that decided to remove it (an eviction, a put's old keys) ran in the object's slot
    /// before this one: a put of the same object in between wrote the object and this very pointer again, and removing
    /// it for good would leave the object listing a key that no longer leads to it (issue 12: a look-up by SKU missed a
    /// product its id found). Putting it back never replaces another object's pointer; a pointer put back to an object
    /// that stopped listing the key meanwhile is harmless (a read follows a pointer only to an object holding the key).
    /// </summary>
    private async Task UnlinkAsync(IDatabase database, string alternate, RedisValue pointer, CancellationToken cancellationToken)
    {
        if (!await UnlinkPointerAsync(database, alternate, pointer, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var primary = ((string)pointer!)[1..];
        var ttl = await RedisClusterScripts.Lists.EvaluateAsync(database, [primary, primary + RedisKeyPatterns.SideRecordSuffix], [alternate], cancellationToken).ConfigureAwait(false);
        if (!ttl.IsNull)
        {
            await RedisClusterScripts.RestorePointer.EvaluateAsync(database, [alternate], [pointer, (long)ttl], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes an alternate key's pointer if it still is <paramref name="pointer"/>, fencing the key, and takes in the fence's time; returns whether it removed it.</summary>
    private async Task<bool> UnlinkPointerAsync(IDatabase database, string alternate, RedisValue pointer, CancellationToken cancellationToken)
    {
        var reply = (RedisResult[])(await RedisClusterScripts.UnlinkPointer.EvaluateAsync(database, [alternate, alternate + RedisKeyPatterns.FenceSuffix], [pointer, RedisScripts.FenceMilliseconds], cancellationToken).ConfigureAwait(false))!;
        _writeClock.Observe((string?)reply[1]);
        return (int)reply[0] == 1;
    }

    /// <summary>Returns whether a key read from Redis (a side record's member, a pointer's owner) is of the store's object shape, under its prefix (see <see cref="RedisKeyPatterns.IsObjectKey"/>).</summary>
    private bool IsObjectKey(string key) => RedisKeyPatterns.IsObjectKey(KeyPrefix, key);

    private static RedisKey[] ObjectKeys(string primary) => [primary, primary + RedisKeyPatterns.SideRecordSuffix, primary + RedisKeyPatterns.FenceSuffix];
}
