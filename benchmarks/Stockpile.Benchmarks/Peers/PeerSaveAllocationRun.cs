using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// What <see cref="PeerSaveBreakdownRun"/>'s 100-row saves allocate, by type: the plain save and the interceptor's save
/// with the default options (the eviction behind the save, settled before the next), side by side. The runtime samples
/// an allocation about every 100 KB (its <c>GCAllocationTick</c> event, named by the type of the object that crossed
/// the mark), so over a few thousand saves each type's share of the samples is its share of the bytes; the bytes per
/// save are exact (<see cref="GC.GetTotalAllocatedBytes"/>). Only the save is counted (from <c>SaveChangesAsync</c>
/// called to the eviction behind it settled), not the load of the rows. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-save-allocations [saves] [top] [side name start ...]</c>.
/// </summary>
internal static class PeerSaveAllocationRun
{
    private const int Rows = 100;

    public static async Task RunAsync(int saves, int top, string[] only)
    {
        await using var servers = await PeerBServers.StartAsync();
        var plain = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options(static _ => { }));
        await using var stockpile = PeerBStockpile.Create(servers, "allocations:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: true);
        var products = await plain.CreateDbContext().Products.AsNoTracking().Where(p => p.Id < Rows).ToListAsync();
        EntityKey[] keys = [.. products.SelectMany(static p => new[] { EntityKey.For<Product>(p.Id), EntityKey.Of<Product>(nameof(Product.Sku), p.Sku) })];
        Side[] sides =
        [
            new("plain SaveChanges", plain, static () => new(true)),
            new("plain SaveChanges + chain InvalidateAsync by hand", plain, async () =>
            {
                await stockpile.Chain.InvalidateAsync(keys);
                return true;
            }),
            new("interceptor, Evict, Redis evicted in the background (default)", stockpile.Contexts, () => stockpile.Chain.SettleAsync(CancellationToken.None)),
        ];
        if (only.Length > 0)
        {
            sides = [.. sides.Where(s => only.Any(o => s.Name.StartsWith(o, StringComparison.OrdinalIgnoreCase)))];
        }

        using var listener = new AllocationListener();
        var warmup = Math.Max(saves / 5, 20);
        for (var r = -warmup; r < saves; r++)
        {
            foreach (var side in sides)
            {
                await side.SaveAsync(r, listener, measure: r >= 0);
            }
        }

        // The listener's events arrive on its own thread, a little after they were raised.
        await Task.Delay(2000);
        foreach (var side in sides)
        {
            side.Print(listener, saves, top);
        }
    }

    private sealed class Side(string name, IDbContextFactory<BenchDbContext> contexts, Func<ValueTask<bool>> settle)
    {
        private readonly List<(DateTime From, DateTime To)> _windows = [];
        private long _bytes;

        public string Name => name;

        public async Task SaveAsync(int round, AllocationListener listener, bool measure)
        {
            await using var context = await contexts.CreateDbContextAsync();
            var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
            foreach (var row in rows)
            {
                row.Name = string.Create(CultureInfo.InvariantCulture, $"Product {row.Id} {name.Length}a{round}");
            }

            var from = DateTime.UtcNow;
            var allocated = GC.GetTotalAllocatedBytes();
            if (await context.SaveChangesAsync() != Rows)
            {
                throw new InvalidOperationException(name + " did not save 100 rows.");
            }

            _ = await settle();
            if (measure)
            {
                _bytes += GC.GetTotalAllocatedBytes() - allocated;
                _windows.Add((from, DateTime.UtcNow));
            }

            _ = listener;
        }

        public void Print(AllocationListener listener, int saves, int top)
        {
            var samples = listener.Samples.Where(s => InWindow(s.At)).GroupBy(static s => s.Type).Select(static g => (Type: g.Key, Count: g.Count())).OrderByDescending(static g => g.Count).ToArray();
            var total = samples.Sum(static s => s.Count);
            var perSave = _bytes / 1024.0 / saves;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {perSave:N1} KB per save (exact), {total} samples"));
            foreach (var (type, count) in samples.Take(top))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count * perSave / total,8:N1} KB  {100.0 * count / total,5:N1}%  {type}"));
            }
        }

        private bool InWindow(DateTime at)
        {
            // Windows are in order: a binary search for the last one starting at or before the sample.
            int low = 0, high = _windows.Count - 1;
            while (low <= high)
            {
                var mid = (low + high) / 2;
                if (_windows[mid].From <= at)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }

            return high >= 0 && at <= _windows[high].To;
        }
    }

    private sealed class AllocationListener : EventListener
    {
        public ConcurrentQueue<(DateTime At, string Type)> Samples { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.PayloadNames?.IndexOf("TypeName") is >= 0 and var index)
            {
                Samples.Enqueue((eventData.TimeStamp.ToUniversalTime(), eventData.Payload![index] as string ?? "?"));
            }
        }
    }
}
