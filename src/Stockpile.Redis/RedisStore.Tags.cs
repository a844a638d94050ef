using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// Entity tags: a tag index in Redis. Each put or back-fill of an object whose type has tags adds its primary key to
/// one set per tag (<see cref="RedisKeyPatterns.TagSetKey"/>), after the object is written, so a removal that runs in
/// between removes the object or finds it already filed. Removing a tag pops the set batch by batch and deletes the
/// objects it names as a delete would: with their pointers, and fenced, so a back-fill that read before the removal is
/// refused. Reads never look at tags. Members whose object is gone are harmless: deleting them deletes nothing.
/// </content>
public sealed partial class RedisStore
{
    private const int TagRemovalBatchSize = 500;
    private const int TagMembersPerCall = 1_000;

    /// <inheritdoc/>
    /// <remarks>
    /// Pops the tag's set 500 members at a time (<c>SPOP</c>: no reply or pause grows with the set) and deletes the
    /// objects of each batch with one delete script (slot by slot on a cluster); a tag carried by fewer than 500
    /// objects takes two round trips. If Redis cannot be reached, everything under the prefix is removed when it is
    /// back (as after a missed clear).
    /// </remarks>
    protected override async ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken)
    {
        var key = RedisKeyPatterns.TagSetKey(KeyPrefix, tag);
        while (true)
        {
            // Members popped by a call that failed are lost to the index: only a clear of everything is sure to remove them.
            var popped = await ClearGuardedAsync("remove the objects tagged '" + tag + "'", key, static async (database, key, ct) =>
                await database.SetPopAsync(key, TagRemovalBatchSize).WaitAsync(ct).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
            if (popped is not { Length: > 0 })
            {
                return;
            }

            // A member not of the store's object shape (corrupt, foreign) is dropped, never deleted.
            var members = popped.Select(static m => (string)m!).Where(IsObjectKey).ToArray();
            if (members.Length > 0)
            {
                await DeleteStorageKeysAsync(members, members.Length, cancellationToken).ConfigureAwait(false);
            }

            if (popped.Length < TagRemovalBatchSize)
            {
                return;
            }
        }
    }

    /// <summary>The tags of the objects about to be written, by tag, with each object's primary key; <see langword="null"/> when none has tags (nothing to file).</summary>
    /// <exception cref="InvalidOperationException">A tag selector failed (nothing has been sent yet).</exception>
    private Dictionary<string, List<(string Primary, long Ttl)>>? CollectTags(IReadOnlyList<object> items, string[] primaries)
    {
        Dictionary<string, List<(string, long)>>? tagged = null;
        for (var i = 0; i < items.Count; i++)
        {
            if (StockpileEntityType.For(items[i].GetType()).TagSelector?.TagsOf(items[i]) is not { } tags)
            {
                continue;
            }

            var ttl = TimeToLive(items[i]) is { } live ? Milliseconds(live > TimeSpan.Zero ? live : TimeSpan.Zero) : 0L;
            foreach (var tag in tags)
            {
                tagged ??= new(StringComparer.Ordinal);
                if (!tagged.TryGetValue(tag, out var members))
                {
                    tagged.Add(tag, members = []);
                }

                members.Add((primaries[i], ttl));
            }
        }

        return tagged;
    }

    /// <summary>Files written objects under their tags: one script call per tag, pipelined. A failure is handled as a failed write (the objects are recorded as missed, so Redis never keeps one the index does not name).</summary>
    private async ValueTask IndexTagsAsync(Dictionary<string, List<(string Primary, long Ttl)>> tagged, string[] primaries, CancellationToken cancellationToken) =>
        await WriteGuardedAsync(primaries, (Store: this, Tagged: tagged), static async (database, s, ct) =>
        {
            var calls = new List<Task<RedisResult>>(s.Tagged.Count);
            // At most 1,000 members a call: a Lua unpack of many more overflows the script's stack.
            foreach (var (tag, all) in s.Tagged)
            foreach (var members in all.Chunk(TagMembersPerCall))
            {
                // The set lives as long as its longest-lived member: for ever (0) if one of them never expires.
                var arguments = new RedisValue[members.Length + 1];
                var ttl = 1L;
                var forever = false;
                for (var i = 0; i < members.Length; i++)
                {
                    arguments[i + 1] = members[i].Primary;
                    forever |= members[i].Ttl == 0;
                    ttl = Math.Max(ttl, members[i].Ttl);
                }

                arguments[0] = forever ? 0 : ttl;
                calls.Add(RedisTagScripts.Add.EvaluateAsync(database, [RedisKeyPatterns.TagSetKey(s.Store.KeyPrefix, tag)], arguments, ct).AsTask());
            }

            await Task.WhenAll(calls).ConfigureAwait(false);
            return true;
        }, false, cancellationToken).ConfigureAwait(false);
}
