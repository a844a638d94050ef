using System.Globalization;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// Reads the server's <c>TIME</c> reply (seconds and microseconds, two strings) the way the scripts read
/// <c>redis.call('TIME')</c>: one number of µs, or as text, the 16 digits a lease or a fence carries (the seconds,
/// then the microseconds padded to six).
/// </summary>
internal static class RedisServerTime
{
    /// <summary>The command.</summary>
    public const string Command = "TIME";

    /// <summary>Gets the server time a <c>TIME</c> reply holds, in µs since the Unix epoch.</summary>
    /// <exception cref="InvalidOperationException">The reply is not two integers, microseconds below a million.</exception>
    public static long Micros(RedisResult reply)
    {
        if (reply.Resp2Type != ResultType.Array || (RedisResult[])reply! is not [var seconds, var micros]
            || !long.TryParse((string?)seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            || !long.TryParse((string?)micros, NumberStyles.None, CultureInfo.InvariantCulture, out var us)
            || us >= 1_000_000)
        {
            throw new InvalidOperationException(ExceptionMessages.UnexpectedTimeReply);
        }

        return s * 1_000_000 + us;
    }

    /// <summary>Gets a server time (µs) as the scripts write it (<c>clock[1] .. string.format('%06d', clock[2])</c>): a lease's or a stamp's text.</summary>
    public static string MicrosText(long micros) => micros.ToString(CultureInfo.InvariantCulture);
}
