using System.Globalization;

namespace Stockpile.Redis.Internal;

/// <summary>
/// Redis was not called because its circuit breaker is open (or a probe is under way). A chain treats it like any
/// cache failure: a read is a miss.
/// </summary>
internal sealed class RedisCircuitOpenException : IOException
{
    public RedisCircuitOpenException(string endPoint, TimeSpan retryAfter)
        : base(string.Create(CultureInfo.InvariantCulture, $"Redis at {endPoint} is not called while its circuit breaker is open (next probe in {retryAfter.TotalMilliseconds:0} ms)."))
    {
        EndPoint = endPoint;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the server's endpoint as <c>host:port</c>.</summary>
    public string EndPoint { get; }

    /// <summary>Gets how long the break had left when the call was refused.</summary>
    public TimeSpan RetryAfter { get; }
}
