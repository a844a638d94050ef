using System.Diagnostics;
using Stockpile.Redis.Internal.Resp;
using static Stockpile.Redis.Tests.RedisTestEnvironment;

namespace Stockpile.Redis.Tests.Internal.Resp;

/// <summary>Sanity figures printed to the test output, not asserted: timings on shared machines are noise.</summary>
[Category("Sanity")]
[NonParallelizable]
public class RedisConnectionThroughputTests
{
    private const int Count = 10_000;

    [Test]
    public async Task Get_TenThousandSequentialAndConcurrent_PrintsTimings()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var key = UniqueKey();
        await connection.ExecuteAsync(new RedisCommand("SET", key, new byte[100]));
        var get = new RedisCommand("GET", key);
        for (var i = 0; i < 1000; i++)
        {
            await connection.ExecuteAsync(get);
        }

        var sequential = Stopwatch.StartNew();
        for (var i = 0; i < Count; i++)
        {
            await connection.ExecuteAsync(get);
        }

        sequential.Stop();
        var concurrent = Stopwatch.StartNew();
        var replies = await Task.WhenAll(Enumerable.Range(0, Count).Select(_ => connection.ExecuteAsync(get).AsTask()));
        concurrent.Stop();
        var batch = Stopwatch.StartNew();
        await connection.ExecuteBatchAsync(Enumerable.Repeat(get, Count).ToArray());
        batch.Stop();

        Assert.That(replies, Has.All.Property(nameof(RedisReply.Kind)).EqualTo(RedisReplyKind.BulkString));
        TestContext.Out.WriteLine(
            $"{Count} GETs of 100 bytes: sequential {sequential.ElapsedMilliseconds} ms " +
            $"({sequential.Elapsed.TotalMicroseconds / Count:F1} µs each), concurrent {concurrent.ElapsedMilliseconds} ms, " +
            $"one batch {batch.ElapsedMilliseconds} ms");
    }
}
