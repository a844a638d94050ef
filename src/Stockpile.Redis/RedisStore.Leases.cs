using System.Collections.Concurrent;
using System.Globalization;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile;

/// <content>
/// Leases close the race between instances that a chain's in-process guard cannot see: instance B misses Redis, reads
/// the database, then A commits and evicts Redis, then B's back-fill lands with what B read before the commit. A read
/// that misses takes a lease on the key (atomically, in the same script); the put that follows carries the lease's
/// token; every put and delete of the key removes the lease. A put whose lease is gone evicts the object instead of
/// writing it. Puts with no lease (no miss before them in this process) are written as given.
/// </content>
public sealed partial class RedisStore
{
    private const int LeaseMilliseconds = 10_000;
    private const int MaxLeases = 10_000;

    // Per store, not per process: two stores in one process (two service providers) share a Redis, and a token one of
    // them hands out must never be one the other holds.
    private readonly string _tokenPrefix = Guid.NewGuid().ToString("N") + ":";
    private readonly ConcurrentDictionary<string, string> _leases = new(StringComparer.Ordinal);
    private long _nextToken;

    /// <summary>Reads keys in one script call, taking a lease on each miss.</summary>
    private ValueTask<byte[]?[]> ReadWithLeasesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var token = _tokenPrefix + Interlocked.Increment(ref _nextToken).ToString(CultureInfo.InvariantCulture);
        return RunAsync((Store: this, Keys: keys, Token: token), static async (connection, s, ct) =>
        {
            var reply = await RedisScripts.Read.EvaluateAsync(connection, s.Keys, [RedisScripts.LeaseSuffix, s.Token, LeaseMilliseconds], ct).ConfigureAwait(false);
            var values = Array.ConvertAll(reply.AsArray()!, static item => item.AsBytes());
            s.Store.RememberLeases(s.Keys, values, s.Token);
            return values;
        }, cancellationToken);
    }

    private void RememberLeases(IReadOnlyList<string> keys, byte[]?[] values, string token)
    {
        if (_leases.Count > MaxLeases)
        {
            // Misses never followed by a put (absent from the database too): forget them, and with them the check of
            // back-fills in flight, which then write as given.
            _leases.Clear();
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (values[i] is null)
            {
                _leases[keys[i]] = token;
            }
        }
    }

    /// <summary>Gets the token of this process's lease on a key, once: the put that uses it ends the lease.</summary>
    private RedisArgument TakeLease(string key) => _leases.TryRemove(key, out var token) ? token : string.Empty;
}
