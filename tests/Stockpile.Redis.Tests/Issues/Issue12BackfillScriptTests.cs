using System.Globalization;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, items 3 and 4 (a miss served from the database within 1.1x of the peers; B's next read after a commit):
/// the chain's back-fill after each such miss ran the put script's general code on the server, the call a chain's
/// next read waits behind (its helper closures and a table of fences made, a new object's side record listed), about
/// twice a put's server time. A back-fill of one object now runs <see cref="RedisScripts.Backfill"/>, which writes
/// a new object or renews one filed the same and leaves everything else to the put script. These pin that it leaves
/// Redis exactly as the put script would, whatever Redis held: the script pair is run under one prefix and the put
/// script alone under another, from the same state, and the two key spaces compared.
/// </summary>
public sealed class Issue12BackfillScriptTests
{
    private const string Lifetime = "600000";

    private ConnectionMultiplexer _connection = null!;
    private IDatabase _database = null!;

    /// <summary>What Redis holds, or what happens, between the read and its back-fill.</summary>
    public enum Before
    {
        Nothing,
        FiledTheSame,
        AnotherObjectHoldsAnAlternateKey,
        AnOldAlternateKeyIsListed,
        PutAfterTheRead,
        DeletedAfterTheRead,
        ClearedAfterTheRead,
        NoClearFence,
        ReadInThePreviousBucket,
        ReadTooLongAgo,
        NoLease,
        ExpiredObject,
        NeverExpires,
    }

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = _connection.GetDatabase();
    }

    [TearDown]
    public async Task TearDownAsync() => await _connection.DisposeAsync();

    [Test]
    public async Task Backfill_AnyStateBefore_LeavesRedisAsThePutScriptWould([Values] Before state, [Values(0, 1, 2)] int alternates)
    {
        var lean = TestStores.UniquePrefix();
        var general = TestStores.UniquePrefix();
        var id = TestStores.NextId();

        var leanAnswer = await BackfillAsync(lean, id, alternates, state, useLeanScript: true);
        var generalAnswer = await BackfillAsync(general, id, alternates, state, useLeanScript: false);

        var expected = await SnapshotAsync(general);
        Assert.That(await SnapshotAsync(lean), Is.EqualTo(expected), $"lean script answered {leanAnswer}, the put script {generalAnswer}");
        if (state is Before.Nothing or Before.FiledTheSame or Before.NeverExpires)
        {
            Assert.That(leanAnswer, Is.GreaterThan(0), "the lean script wrote this case itself");
            Assert.That(expected, Has.Some.StartsWith($"<p>{{R|Id|{id}}} string v-{id} "), "the back-fill was granted");
        }
    }

    [Test]
    public async Task Backfill_NewObject_RefusedWhenAnyKeyWasFencedAfterTheRead([Range(0, 2)] int fencedKey)
    {
        var prefix = TestStores.UniquePrefix();
        var id = TestStores.NextId();
        var keys = KeysOf(prefix, id, "", 2);
        await StartClearFenceAsync(prefix);
        var lease = await LeaseAsync();
        _ = await RedisScripts.Delete.EvaluateAsync(_database, [keys[fencedKey]], [prefix], CancellationToken.None);

        var answer = (long)await RedisScripts.Backfill.EvaluateAsync(_database, keys, [lease, $"v-{id}", Lifetime], CancellationToken.None);

        Assert.That(answer, Is.EqualTo(-1), "left to the put script, which refuses it");
        Assert.That(await _database.KeyExistsAsync(keys), Is.Zero, "nothing written");
    }

    /// <summary>Sets up <paramref name="state"/> under <paramref name="prefix"/> and back-fills the object as the store does (the lean script, then the put script when it declines) or by the put script alone; returns the first script's answer.</summary>
    private async Task<long> BackfillAsync(string prefix, int id, int alternates, Before state, bool useLeanScript)
    {
        var keys = KeysOf(prefix, id, "", alternates);
        if (state != Before.NoClearFence)
        {
            await StartClearFenceAsync(prefix);
        }

        switch (state)
        {
            case Before.FiledTheSame or Before.ExpiredObject:
                await PutAsync(prefix, keys, $"put-{id}");
                break;
            case Before.AnotherObjectHoldsAnAlternateKey:
                var other = KeysOf(prefix, id + 1_000_000, "", alternates);
                if (alternates > 0)
                {
                    other[1] = keys[1];
                }

                await PutAsync(prefix, other, $"other-{id}");
                break;
            case Before.AnOldAlternateKeyIsListed:
                await PutAsync(prefix, KeysOf(prefix, id, "old", alternates), $"put-{id}");
                break;
        }

        var lease = state switch
        {
            Before.NoLease => "!",
            Before.ReadTooLongAgo => Lease(await FenceBuckets.ServerMicrosecondsAsync(_database) - 10_500_000),
            Before.ReadInThePreviousBucket => Lease((FenceBuckets.Bucket(await FenceBuckets.ServerMicrosecondsAsync(_database)) * 10_000_000) - 1),
            _ => await LeaseAsync(),
        };
        switch (state)
        {
            case Before.PutAfterTheRead:
                await PutAsync(prefix, keys, $"put-{id}");
                break;
            case Before.DeletedAfterTheRead:
                _ = await RedisScripts.Delete.EvaluateAsync(_database, [keys[0]], [prefix], CancellationToken.None);
                break;
            case Before.ClearedAfterTheRead:
                _ = await RedisScripts.FenceClear.EvaluateAsync(_database, [RedisKeyPatterns.ClearFenceKey(prefix)], [], CancellationToken.None);
                break;
        }

        var ttl = state switch
        {
            Before.ExpiredObject => "-1",
            Before.NeverExpires => "0",
            _ => Lifetime,
        };
        var value = $"v-{id}";
        if (useLeanScript)
        {
            var answer = (long)await RedisScripts.Backfill.EvaluateAsync(_database, keys, [lease, value, ttl], CancellationToken.None);
            if (answer < 0)
            {
                await BackfillByPutScriptAsync(prefix, keys, lease, value, ttl);
            }

            return answer;
        }

        return await BackfillByPutScriptAsync(prefix, keys, lease, value, ttl);
    }

    private async Task<long> BackfillByPutScriptAsync(string prefix, RedisKey[] keys, string lease, string value, string ttl) =>
        (long)await RedisScripts.Put.EvaluateAsync(_database, keys, [lease, prefix, string.Empty, keys.Length - 1, value, ttl], CancellationToken.None);

    private async Task PutAsync(string prefix, RedisKey[] keys, string value) =>
        _ = await RedisScripts.Put.EvaluateAsync(_database, keys, [string.Empty, prefix, await FenceBuckets.ServerMicrosecondsAsync(_database), keys.Length - 1, value, Lifetime], CancellationToken.None);

    /// <summary>A store's clear fence, as a store's first call starts it, but 11 s old: older than any lease of these tests.</summary>
    private async Task StartClearFenceAsync(string prefix) =>
        await _database.StringSetAsync(RedisKeyPatterns.ClearFenceKey(prefix), Lease(await FenceBuckets.ServerMicrosecondsAsync(_database) - 11_000_000));

    /// <summary>A read's lease, as the store takes it: the server's time.</summary>
    private async Task<string> LeaseAsync() => Lease(await FenceBuckets.ServerMicrosecondsAsync(_database));

    private static string Lease(long microseconds) => microseconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>An object's keys in the store's shape: its primary key, then its alternate keys (their values carrying <paramref name="variant"/>).</summary>
    private static RedisKey[] KeysOf(string prefix, int id, string variant, int alternates) =>
        [$"{prefix}{{R|Id|{id}}}", .. Enumerable.Range(1, alternates).Select(k => (RedisKey)$"{prefix}{{R|A{k}|{variant}{id}}}")];

    /// <summary>
    /// Everything under a prefix, the prefix replaced by <c>&lt;p&gt;</c>: each key's type, contents and lifetime (the
    /// entries', or in tens of seconds); the fences as one list of the keys fenced, whatever their bucket (they hold times, and two runs may
    /// fall in two buckets), and whether the clear fence is there (it holds a time).
    /// </summary>
    private async Task<List<string>> SnapshotAsync(string prefix)
    {
        var snapshot = new List<string>();
        var fenced = new SortedSet<string>(StringComparer.Ordinal);
        var server = _connection.GetServers().Single(s => !s.IsReplica);
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
        {
            var name = (string)key!;
            if (name.StartsWith(prefix + RedisKeyPatterns.FenceBucketInfix, StringComparison.Ordinal))
            {
                fenced.UnionWith((await _database.HashKeysAsync(key)).Select(m => (string)m!));
                continue;
            }

            if (name == RedisKeyPatterns.ClearFenceKey(prefix))
            {
                snapshot.Add("the clear fence");
                continue;
            }

            var type = await _database.KeyTypeAsync(key);
            var contents = type switch
            {
                RedisType.String => (string?)await _database.StringGetAsync(key),
                RedisType.Set => string.Join(",", (await _database.SetMembersAsync(key)).Select(m => (string)m!).Order(StringComparer.Ordinal)),
                _ => type.ToString(),
            };
            var ttl = (long)await _database.ExecuteAsync("PTTL", key);
            var lifetime = ttl switch
            {
                < 0 => "forever",

                // The entries' lifetime (10 min), however long the runs took.
                > 300_000 => "the lifetime",
                _ => Math.Round(ttl / 10_000.0).ToString(CultureInfo.InvariantCulture),
            };
            snapshot.Add($"{name} {type.ToString().ToLowerInvariant()} {contents} {lifetime}".Replace(prefix, "<p>", StringComparison.Ordinal));
        }

        snapshot.Sort(StringComparer.Ordinal);
        snapshot.Add("fenced: " + string.Join(",", fenced).Replace(prefix, "<p>", StringComparison.Ordinal));
        return snapshot;
    }
}
