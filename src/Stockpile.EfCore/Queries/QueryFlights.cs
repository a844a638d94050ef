using System.Collections.Concurrent;
using Stockpile.Internal.Caching;

namespace Stockpile.Internal;

/// <summary>The cached queries running on a miss in this process, by key (one set per interceptor).</summary>
internal sealed class QueryFlights
{
    private readonly ConcurrentDictionary<string, QueryFlight> _flights = new(StringComparer.Ordinal);

    /// <summary>
    /// The run under way for <paramref name="key"/> that a caller holding <paramref name="stamps"/> may join, or a new
    /// run this caller leads (<paramref name="leads"/>); <see langword="null"/> when a run under way cannot be joined
    /// (other versions): the caller runs the query alone.
    /// </summary>
    public QueryFlight? JoinOrStart(string key, TagStamp[] stamps, out bool leads)
    {
        var started = new QueryFlight(stamps);
        var flight = _flights.GetOrAdd(key, started);
        leads = ReferenceEquals(flight, started);
        return leads || flight.Stamps.AsSpan().SequenceEqual(stamps) ? flight : null;
    }

    /// <summary>Ends a run: later misses start their own.</summary>
    public void End(string key, QueryFlight flight) => _flights.TryRemove(new KeyValuePair<string, QueryFlight>(key, flight));
}
