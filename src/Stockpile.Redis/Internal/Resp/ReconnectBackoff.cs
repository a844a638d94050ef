namespace Stockpile.Redis.Internal.Resp;

/// <summary>Exponential back-off with "equal jitter": half the step fixed, half random, capped.</summary>
internal static class ReconnectBackoff
{
    /// <summary>Returns the delay before reconnect attempt <paramref name="attempt"/> (1 for the first).</summary>
    public static TimeSpan GetDelay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var step = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((step / 2) + (Random.Shared.NextDouble() * step / 2));
    }
}
