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

    /// <summary>
    /// Reads keys with a plain <c>GET</c>/<c>MGET</c> (per slot on a cluster); only the keys that missed go through
    /// the read script, which reads them again and takes a lease on each one still missing.
    /// </summary>
    /// <remarks>
    /// Taking the lease one round trip after the miss is safe: what the lease guards is the database read that follows
    /// it, and a commit that lands between the miss and the lease is already in that read.
    /// </remarks>
    private async ValueTask<byte[]?[]> ReadWithLeasesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync((Store: this, Keys: keys), static async (database, s, ct) =>
            {
                var values = await ReadPlainAsync(database, s.Keys, s.Store.IsCluster(database), ct).ConfigureAwait(false);
                var missed = 0;
                foreach (var value in values)
                {
                    missed += value is null ? 1 : 0;
                }

                if (missed > 0)
                {
                    await s.Store.ReadMissesWithLeasesAsync(database, s.Keys, values, missed, ct).ConfigureAwait(false);
                }

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

    /// <summary>Reads the missed keys again through the read script, taking a lease on each one still missing; fills <paramref name="values"/> in place.</summary>
    private async ValueTask ReadMissesWithLeasesAsync(IDatabase database, IReadOnlyList<string> keys, byte[]?[] values, int missed, CancellationToken cancellationToken)
    {
        var token = _tokenPrefix + Interlocked.Increment(ref _nextToken).ToString(CultureInfo.InvariantCulture);
        var indexes = new int[missed];
        var missedKeys = new string[missed];
        for (int i = 0, j = 0; i < values.Length; i++)
        {
            if (values[i] is null)
            {
                indexes[j] = i;
                missedKeys[j++] = keys[i];
            }
        }

        RedisValue[] arguments = [RedisScripts.LeaseSuffix, token, LeaseMilliseconds];
        byte[]?[] again;
        if (missed > 1 && IsCluster(database))
        {
            again = await ReadBySlotAsync(database, missedKeys, arguments, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var reply = await RedisScripts.Read.EvaluateAsync(database, Keys(missedKeys), arguments, cancellationToken).ConfigureAwait(false);
            again = Array.ConvertAll((RedisResult[])reply!, static item => (byte[]?)item);
        }

        for (var j = 0; j < missed; j++)
        {
            values[indexes[j]] = again[j];
        }

        RememberLeases(missedKeys, again, token);
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
