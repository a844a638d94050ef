using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal;

/// <summary>
/// Tells whether a commit may write its state through to the caches: only when no other commit of the same rows ran
/// between its start and the end of its cache update. Otherwise the caches could end with the older of two states.
/// </summary>
/// <remarks>
/// Rows are hashed by primary key into stripes; a commit whose keys are not known before it runs (store-generated keys)
/// claims every stripe. A false conflict only turns a write-through into an eviction, which is always safe. Failed and
/// canceled saves release their claims; a claim never released all the same (a save whose outcome never reached the
/// interceptor, say because another interceptor threw first) expires after <see cref="ClaimLifetime"/>, so a leak
/// cannot turn write-through off for good.
/// </remarks>
internal sealed class CommitTracker
{
    public const int Stripes = 1024;
    private const int Everything = Stripes;

    private static readonly ConditionalWeakTable<ChainedStore, CommitTracker> s_trackers = new();
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(10);

    private readonly object _lock = new();
    private readonly long[] _started = new long[Stripes + 1];
    private readonly long[] _completed = new long[Stripes + 1];
    private readonly List<CommitTicket> _live = [];

    public static CommitTracker For(ChainedStore chain) => s_trackers.GetValue(chain, static _ => new CommitTracker());

    /// <summary>The stripe of a row: from the type that declares its primary key (a row of a derived type is a row of its base type too) and the key's values.</summary>
    public static int StripeOf(EntityKey primaryKey)
    {
        var hash = new HashCode();
        hash.Add(primaryKey.Key.DeclaringType);
        foreach (var value in primaryKey.ValueSpan)
        {
            hash.Add(value);
        }

        return (hash.ToHashCode() & int.MaxValue) % Stripes;
    }

    /// <summary>Claims the stripes of some rows (or, with <see langword="null"/>, every row) for a new commit.</summary>
    public CommitTicket Begin(int[]? stripes)
    {
        var ticket = new CommitTicket(Stopwatch.GetTimestamp());
        ticket.Claims.EnsureCapacity((stripes?.Length ?? 0) + 1);
        lock (_lock)
        {
            ExpireLocked(ticket.StartedAt);
            _live.Add(ticket);
            ClaimLocked(ticket, Everything);
            foreach (var stripe in stripes ?? [])
            {
                // A stripe named twice (two rows hashed alike) is claimed once.
                if (!ticket.Claims.ContainsKey(stripe))
                {
                    ClaimLocked(ticket, stripe);
                }
            }

            if (stripes is null)
            {
                // Unknown rows: any other commit under way may touch them.
                ticket.Contended |= _started[Everything] - 1 != _completed[Everything];
            }
        }

        return ticket;
    }

    /// <summary>Claims more stripes for a commit already begun (a transaction that saves again).</summary>
    public void Extend(CommitTicket ticket, IEnumerable<int> stripes)
    {
        lock (_lock)
        {
            foreach (var stripe in stripes)
            {
                if (!ticket.Claims.ContainsKey(stripe))
                {
                    ClaimLocked(ticket, stripe);
                }
            }
        }
    }

    /// <summary>Whether no other commit held or claimed the ticket's stripes since it began.</summary>
    public bool IsClean(CommitTicket ticket)
    {
        lock (_lock)
        {
            if (ticket.Contended)
            {
                return false;
            }

            var whole = ticket.Claims.Count == 1;
            foreach (var (stripe, claimed) in ticket.Claims)
            {
                if ((stripe != Everything || whole) && _started[stripe] != claimed)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public void End(CommitTicket ticket)
    {
        lock (_lock)
        {
            EndLocked(ticket);
        }
    }

    private void ClaimLocked(CommitTicket ticket, int stripe)
    {
        ticket.Contended |= stripe != Everything && _started[stripe] != _completed[stripe];
        ticket.Claims[stripe] = ++_started[stripe];
    }

    private void EndLocked(CommitTicket ticket)
    {
        if (ticket.Ended)
        {
            return;
        }

        ticket.Ended = true;
        _live.Remove(ticket);
        foreach (var stripe in ticket.Claims.Keys)
        {
            _completed[stripe]++;
        }
    }

    private void ExpireLocked(long now)
    {
        for (var i = _live.Count - 1; i >= 0; i--)
        {
            if (Stopwatch.GetElapsedTime(_live[i].StartedAt, now) > ClaimLifetime)
            {
                EndLocked(_live[i]);
            }
        }
    }
}
