using System.Diagnostics;
using Stockpile.Benchmarks.Peers;

namespace Stockpile.Benchmarks;

/// <summary>
/// The <see cref="OutboxSaveBenchmarks"/> saves measured save by save, outbox off and on taking turns (the order
/// alternating every round), so a shared machine's load swings hit both alike; for 1 and for 100 rows. Reports each
/// side's median, P99 and mean, and the ratio on/off. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --outbox-save [rounds]</c>.
/// </summary>
internal static class OutboxSaveRun
{
    public static async Task RunAsync(int rounds)
    {
        foreach (var rows in (int[])[1, 100])
        {
            var benchmarks = new OutboxSaveBenchmarks { Rows = rows };
            benchmarks.Setup();
            try
            {
                (PeerBSamples Samples, Func<Task<int>> Save)[] sides =
                [
                    (new($"{rows} row(s), interceptor, outbox off"), benchmarks.OutboxOff),
                    (new($"{rows} row(s), interceptor, outbox on"), benchmarks.OutboxOn),
                ];
                const int warmup = 20;
                for (var round = 0; round < rounds + warmup; round++)
                {
                    for (var i = 0; i < sides.Length; i++)
                    {
                        var (samples, save) = sides[(i + round) % sides.Length];
                        var start = Stopwatch.GetTimestamp();
                        if (await save() != rows)
                        {
                            throw new InvalidOperationException($"{samples.Name} did not save {rows} rows.");
                        }

                        if (round >= warmup)
                        {
                            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                    }
                }

                Console.WriteLine($"outbox save: SaveChanges of {rows} modified row(s) ({rounds} saves per side after {warmup} warm-up rounds; sides in turn):");
                Console.WriteLine($"  {sides[0].Samples}");
                Console.WriteLine($"  {sides[1].Samples}");
                Console.WriteLine($"  {sides[1].Samples.RatioTo(sides[0].Samples)}");
            }
            finally
            {
                await benchmarks.Cleanup();
            }
        }
    }
}
