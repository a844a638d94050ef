using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests;

/// <summary>Reads what the put and delete scripts fence on one server: the server's time and the fence buckets (see <see cref="RedisKeyPatterns.FenceBucketKey"/>).</summary>
internal static class FenceBuckets
{
    /// <summary>The bucket of a server time in µs: its ten seconds.</summary>
    public static long Bucket(long microseconds) => microseconds / 10_000_000;

    /// <summary>The server's time in µs.</summary>
    public static async Task<long> ServerMicrosecondsAsync(IDatabase database)
    {
        var time = (RedisResult[])(await database.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1_000_000 + (long)time[1];
    }

    /// <summary>Reads the fence of each key from the buckets of the given range (a put's time lies in one of them); 0 for none.</summary>
    public static async Task<long[]> FencesAsync(IDatabase database, string prefix, string[] keys, long firstBucket, long lastBucket)
    {
        var fences = new long[keys.Length];
        for (var bucket = firstBucket; bucket <= lastBucket; bucket++)
        {
            var values = await database.HashGetAsync(RedisKeyPatterns.FenceBucketKey(prefix, bucket), [.. keys.Select(k => (RedisValue)k)]);
            for (var i = 0; i < keys.Length; i++)
            {
                if (!values[i].IsNull)
                {
                    fences[i] = Math.Max(fences[i], (long)values[i]);
                }
            }
        }

        return fences;
    }
}
