using System.Globalization;

namespace Stockpile.Benchmarks;

/// <summary>
/// A batch of 100 on one server read as one <c>MGET</c> against the same batch split into parts (see
/// <c>RedisStore.BatchParts.cs</c>), the sides in turn (<see cref="RedisPairedRun"/>), and the split batch against 100
/// sequential gets and the hand-written <c>MGET</c> + deserialize. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --redis-batch-parts</c>.
/// </summary>
internal static class RedisBatchPartsRun
{
    public static async Task RunAsync(string[] splits)
    {
        var benchmarks = new RedisStoreBenchmarks();
        await benchmarks.SetupAsync();
        var (minimum, maximum) = (RedisStore.MinKeysPerPart, RedisStore.MaxBatchParts);
        try
        {
            Func<Task> Split(int parts) => () =>
            {
                (RedisStore.MinKeysPerPart, RedisStore.MaxBatchParts) = (1, parts);
                return benchmarks.StoreBatch();
            };

            var whole = Split(1);
            Func<Task> Large(int parts) => () =>
            {
                (RedisStore.MinKeysPerPart, RedisStore.MaxBatchParts) = (1, parts);
                return benchmarks.StoreBatchOf1000();
            };

            if (splits is ["large", ..])
            {
                splits = splits[1..];
                await RedisPairedRun.CompareAsync("batch of 1,000, one MGET against 2 parts", "RedisStore.GetManyAsync, one MGET", Large(1), "RedisStore.GetManyAsync, 2 MGETs", Large(2), rounds: 30, block: 5);
            await RedisPairedRun.CompareAsync("batch of 1,000, one MGET against 4 parts", "RedisStore.GetManyAsync, one MGET", Large(1), "RedisStore.GetManyAsync, 4 MGETs", Large(4), rounds: 30, block: 5);
            }
            Console.WriteLine($"parts read {RedisStore.ReadParts}, begun while another part was being read {RedisStore.OverlappedParts}");
            foreach (var parts in splits.Where(static s => s != "short").Select(static s => int.Parse(s, CultureInfo.InvariantCulture)))
            {
                await RedisPairedRun.CompareAsync($"batch of 100, one MGET against {parts} parts", "RedisStore.GetManyAsync, one MGET", whole, $"RedisStore.GetManyAsync, {parts} MGETs", Split(parts), rounds: 60, block: 20);
            }

            Console.WriteLine($"parts read {RedisStore.ReadParts}, begun while another part was being read {RedisStore.OverlappedParts}");
            var gaps = RedisStore.ArrivalGaps.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the last part's reply taken up after the first's: P10 {RedisPairedRun.Percentile(gaps, 10):N1} us, P50 {RedisPairedRun.Percentile(gaps, 50):N1} us, P90 {RedisPairedRun.Percentile(gaps, 90):N1} us over {gaps.Count} split batches"));
            if (splits is [.., "short"])
            {
                return;
            }

            var best = Split(int.Parse(splits[0], CultureInfo.InvariantCulture));
            await RedisPairedRun.CompareAsync($"100 gets, {splits[0]} parts", "100 sequential RedisStore.GetAsync", benchmarks.StoreSequential100, $"RedisStore.GetManyAsync of 100, {splits[0]} MGETs", best, rounds: 30, block: 3);
            await RedisPairedRun.CompareAsync($"100 gets, one MGET", "100 sequential RedisStore.GetAsync", benchmarks.StoreSequential100, "RedisStore.GetManyAsync of 100, one MGET", whole, rounds: 30, block: 3);
            await RedisPairedRun.CompareAsync($"batch of 100, {splits[0]} parts", "MGET + deserialize", benchmarks.BareBatch, $"RedisStore.GetManyAsync, {splits[0]} MGETs", best, rounds: 60, block: 20);
        }
        finally
        {
            (RedisStore.MinKeysPerPart, RedisStore.MaxBatchParts) = (minimum, maximum);
            await benchmarks.CleanupAsync();
        }
    }
}
