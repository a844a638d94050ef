using System.Collections.Concurrent;
using System.Globalization;
using Stockpile.Internal;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// Leases close the race between instances that a chain's in-process guard cannot see: instance B misses Redis, reads
/// the database, then A commits and evicts Redis, then B's back-fill lands with what B read before the commit. A read
/// that misses takes a lease on the key (atomically, in the same script); the back-fill that follows carries the
/// lease's token; every put and delete of the key removes the lease. A put whose lease is gone evicts the object
/// instead of writing it. Puts with no lease (no miss before them) are written as given.
/// </content>
/// <remarks>
/// Inside a chain read (see <see cref="ChainRead"/>) the tokens travel with that read to its own back-fill: several
/// reads of one key at once each carry their own, and a read that failed (no lease taken, yet the chain back-fills
/// what it then read from the database) gives its back-fill a token no lease has, so it evicts. Outside a chain, a put
/// carries the token of this store's last miss on the key.
/// </remarks>
public sealed partial class RedisStore
{
    private const int LeaseMilliseconds = 10_000;
    private const int MaxLeases = 10_000;

    /// <summary>Matches no lease: a put that carries it evicts.</summary>
    private const string Refused = "!";

    // Per store, not per process: two stores in one process (two service providers) share a Redis, and a token one of
    // them hands out must never be one the other holds.
    private readonly string _tokenPrefix = Guid.NewGuid().ToString("N") + ":";
    private readonly ConcurrentDictionary<string, string> _leases = new(StringComparer.Ordinal);
    private long _nextToken;

    /// <summary>Reads keys in one script call, taking a lease on each miss.</summary>
    private async ValueTask<byte[]?[]> ReadWithLeasesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var token = _tokenPrefix + Interlocked.Increment(ref _nextToken).ToString(CultureInfo.InvariantCulture);
        try
        {
            return await RunAsync((Store: this, Keys: keys, Token: token), static async (database, s, ct) =>
            {
                RedisValue[] arguments = [RedisScripts.LeaseSuffix, s.Token, LeaseMilliseconds];
                byte[]?[] values;
                if (s.Keys.Count > 1 && s.Store.IsCluster(database))
                {
                    values = await ReadBySlotAsync(database, s.Keys, arguments, ct).ConfigureAwait(false);
                }
                else
                {
                    var reply = await RedisScripts.Read.EvaluateAsync(database, Keys(s.Keys), arguments, ct).ConfigureAwait(false);
                    values = Array.ConvertAll((RedisResult[])reply!, static item => (byte[]?)item);
                }

                s.Store.RememberLeases(s.Keys, values, s.Token);
                return values;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ChainRead.Current is not null && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // The chain takes a failed read for a miss and back-fills what it reads next: that must not be written.
            RememberLeases(keys, null, Refused);
            throw;
        }
    }

    /// <summary>Remembers the token for the back-fill of each key that missed (of every key when the read failed: <paramref name="values"/> is null).</summary>
    private void RememberLeases(IReadOnlyList<string> keys, byte[]?[]? values, string token)
    {
        if (ChainRead.Current is { } read)
        {
            var mine = read.GetOrAdd(this, static () => new Dictionary<string, string>(StringComparer.Ordinal));
            lock (mine)
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    if (values?[i] is null)
                    {
                        mine[keys[i]] = token;
                    }
                }
            }

            return;
        }

        if (_leases.Count > MaxLeases)
        {
            // Misses never followed by a put (absent from the database too): forget them, and with them the check of
            // back-fills in flight, which then write as given.
            _leases.Clear();
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (values?[i] is null)
            {
                _leases[keys[i]] = token;
            }
        }
    }

    /// <summary>Gets the token of the lease a put of the key carries, once: the put that uses it ends the lease.</summary>
    private RedisValue TakeLease(string key)
    {
        if (ChainRead.Current?.Get<Dictionary<string, string>>(this) is { } mine)
        {
            lock (mine)
            {
                return mine.Remove(key, out var token) ? token : string.Empty;
            }
        }

        return _leases.TryRemove(key, out var last) ? last : string.Empty;
    }
}
