using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 4: a commit on instance A reaching instance B's next read. Two instances per library in this
/// process, each with its own service provider (or cache object), memory tier and Redis connections, over one private
/// redis-server and the benchmark's SQLite file. Each round A loads a product tracked, renames it and saves
/// (FusionCache and Stockpile's string cache then remove or set the key, as their users write it; Stockpile's entity
/// chain is kept in sync by the interceptor), while B, which holds the old value in memory, reads the key in a loop
/// (yielding the thread between reads) until it sees the new name. Two delays per round: from A calling
/// <c>SaveChangesAsync</c>, and from A's last call returning. Sides take turns round by round, so the machine's load
/// swings hit them alike. One more Stockpile side sends A's backplane message after the delete in a round trip of its
/// own (<see cref="PeerBSeparatePublish"/>: as before session 6), and one more evicts Redis behind the save
/// (<see cref="StockpileOptions.EvictSharedTiersInBackground"/>; the other Stockpile sides set it off). Run with <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-backplane [rounds]</c>.
/// </summary>
internal static class PeerBackplaneRun
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(int rounds)
    {
        await using var servers = await PeerBServers.StartAsync();
        await using var evictA = PeerBStockpile.Create(servers, "sp-evict:", StockpileCommitPolicy.Evict, backplane: true, cache: false);
        await using var evictB = PeerBStockpile.Create(servers, "sp-evict:", StockpileCommitPolicy.Evict, backplane: true, cache: false);
        await using var separateA = PeerBSeparatePublish.Apply(PeerBStockpile.Create(servers, "sp-separate:", StockpileCommitPolicy.Evict, backplane: true, cache: false));
        await using var separateB = PeerBStockpile.Create(servers, "sp-separate:", StockpileCommitPolicy.Evict, backplane: true, cache: false);
        await using var writeA = PeerBStockpile.Create(servers, "sp-write:", StockpileCommitPolicy.WriteThrough, backplane: true, cache: false);
        await using var writeB = PeerBStockpile.Create(servers, "sp-write:", StockpileCommitPolicy.WriteThrough, backplane: true, cache: false);
        await using var behindA = PeerBStockpile.Create(servers, "sp-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: true);
        await using var behindB = PeerBStockpile.Create(servers, "sp-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: true);
        await using var cacheA = PeerBStockpile.Create(servers, "sp-cache:", StockpileCommitPolicy.Evict, backplane: true, cache: true);
        await using var cacheB = PeerBStockpile.Create(servers, "sp-cache:", StockpileCommitPolicy.Evict, backplane: true, cache: true);
        using var fusionA = PeerBFusion.Create(servers, "fc-backplane");
        using var fusionB = PeerBFusion.Create(servers, "fc-backplane");
        var plainA = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options());
        var plainB = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options());

        Side[] sides =
        [
            new("Stockpile entity chain, interceptor Evict", 1, (id, name) => SaveAsync(evictA.Contexts, id, name, static (_, _) => Task.CompletedTask),
                async id => (await evictB.Chain.GetAsync<Product, int>(id))?.Name),
            new("Stockpile entity chain, interceptor WriteThrough", 2, (id, name) => SaveAsync(writeA.Contexts, id, name, static (_, _) => Task.CompletedTask),
                async id => (await writeB.Chain.GetAsync<Product, int>(id))?.Name),
            new("FusionCache, SaveChanges + RemoveAsync", 3, (id, name) => SaveAsync(plainA, id, name, (_, key) => fusionA.RemoveAsync(key).AsTask()),
                async id => (await FusionReadAsync(fusionB, plainB, id))?.Name),
            new("FusionCache, SaveChanges + SetAsync", 4, (id, name) => SaveAsync(plainA, id, name, (row, key) => fusionA.SetAsync(key, row).AsTask()),
                async id => (await FusionReadAsync(fusionB, plainB, id))?.Name),
            new("Stockpile cache, SaveChanges + RemoveAsync", 5, (id, name) => SaveAsync(plainA, id, name, (_, key) => cacheA.Cache.RemoveAsync(key).AsTask()),
                async id => (await CacheReadAsync(cacheB.Cache, plainB, id))?.Name),
            new("Stockpile cache, SaveChanges + SetAsync", 6, (id, name) => SaveAsync(plainA, id, name, (row, key) => cacheA.Cache.SetAsync(key, row).AsTask()),
                async id => (await CacheReadAsync(cacheB.Cache, plainB, id))?.Name),
            new("Stockpile entity chain, interceptor Evict, publish after the delete", 7, (id, name) => SaveAsync(separateA.Contexts, id, name, static (_, _) => Task.CompletedTask),
                async id => (await separateB.Chain.GetAsync<Product, int>(id))?.Name),
            new("Stockpile entity chain, interceptor Evict, Redis evicted in the background", 8, (id, name) => SaveAsync(behindA.Contexts, id, name, static (_, _) => Task.CompletedTask),
                async id => (await behindB.Chain.GetAsync<Product, int>(id))?.Name),
        ];

        var warmup = Math.Max(rounds / 10, 20);
        for (var round = -warmup; round < rounds; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                await sides[(i + round + warmup) % sides.Length].RoundAsync(round, measure: round >= 0);
            }
        }

        Console.WriteLine($"peer backplane delay ({rounds} rounds per side, after {warmup} warm-up rounds; sides in turn; B polls with Thread.Yield between reads):");
        foreach (var side in sides)
        {
            Console.WriteLine($"  {side.FromCall}");
            Console.WriteLine($"  {side.FromReturn}");
            Console.WriteLine($"  {side.Commit}");
            Console.WriteLine($"    B's reads that still saw the old value, per round: mean {side.StalePolls / (double)rounds:N1}; rounds that timed out ({s_timeout.TotalSeconds:N0} s): {side.Timeouts}");
        }

        Console.WriteLine("ratios (Stockpile / FusionCache; below 1 is faster):");
        Console.WriteLine($"  {sides[0].FromCall.RatioTo(sides[2].FromCall)}");
        Console.WriteLine($"  {sides[0].FromReturn.RatioTo(sides[2].FromReturn)}");
        Console.WriteLine($"  {sides[1].FromCall.RatioTo(sides[3].FromCall)}");
        Console.WriteLine($"  {sides[1].FromReturn.RatioTo(sides[3].FromReturn)}");
        Console.WriteLine($"  {sides[4].FromCall.RatioTo(sides[2].FromCall)}");
        Console.WriteLine($"  {sides[4].FromReturn.RatioTo(sides[2].FromReturn)}");
        Console.WriteLine($"  {sides[5].FromCall.RatioTo(sides[3].FromCall)}");
        Console.WriteLine($"  {sides[5].FromReturn.RatioTo(sides[3].FromReturn)}");
        Console.WriteLine($"  {sides[6].FromCall.RatioTo(sides[2].FromCall)}");
        Console.WriteLine($"  {sides[6].FromReturn.RatioTo(sides[2].FromReturn)}");
        Console.WriteLine($"  {sides[0].FromCall.RatioTo(sides[6].FromCall)}");
        Console.WriteLine($"  {sides[0].FromReturn.RatioTo(sides[6].FromReturn)}");
        Console.WriteLine($"  {sides[7].FromCall.RatioTo(sides[2].FromCall)}");
        Console.WriteLine($"  {sides[7].FromReturn.RatioTo(sides[2].FromReturn)}");
    }

    /// <summary>A's commit: the row loaded tracked and renamed, then timed: <c>SaveChangesAsync</c> and what the library's user calls after it.</summary>
    private static async Task<(long Called, long Returned)> SaveAsync(IDbContextFactory<BenchDbContext> contexts, int id, string name, Func<Product, string, Task> afterSave)
    {
        await using var context = await contexts.CreateDbContextAsync();
        var row = await context.Products.SingleAsync(p => p.Id == id);
        row.Name = name;
        var called = Stopwatch.GetTimestamp();
        await context.SaveChangesAsync();
        await afterSave(row, PeerBQueries.Key(id));
        return (called, Stopwatch.GetTimestamp());
    }

    private static ValueTask<Product?> FusionReadAsync(FusionCache fusion, IDbContextFactory<BenchDbContext> contexts, int id) =>
        fusion.GetOrSetAsync<Product?>(PeerBQueries.Key(id), (_, ct) => PeerBQueries.ByIdAsync(contexts, id, ct));

    private static ValueTask<Product?> CacheReadAsync(IStockpileCache cache, IDbContextFactory<BenchDbContext> contexts, int id) =>
        cache.GetOrCreateAsync(PeerBQueries.Key(id), (Contexts: contexts, Id: id), static async (s, ct) => await PeerBQueries.ByIdAsync(s.Contexts, s.Id, ct));

    private sealed class Side(string name, int id, Func<int, string, Task<(long Called, long Returned)>> commit, Func<int, Task<string?>> readB)
    {
        public PeerBSamples FromCall { get; } = new(name + ", from SaveChangesAsync called");

        public PeerBSamples FromReturn { get; } = new(name + ", from A's calls returned");

        public PeerBSamples Commit { get; } = new(name + ", A's calls alone (SaveChangesAsync and after)");

        public long StalePolls { get; private set; }

        public int Timeouts { get; private set; }

        public async Task RoundAsync(int round, bool measure)
        {
            var before = await readB(id);
            var name = $"{id} r{round}";
            if (before == name)
            {
                throw new InvalidOperationException($"B already sees '{name}' before the commit.");
            }

            var (called, returned) = await commit(id, name);
            var stale = 0;
            while (await readB(id) != name)
            {
                stale++;
                if (Stopwatch.GetElapsedTime(returned) > s_timeout)
                {
                    Timeouts++;
                    return;
                }

                Thread.Yield();
            }

            var seen = Stopwatch.GetTimestamp();
            if (measure)
            {
                FromCall.Add(Stopwatch.GetElapsedTime(called, seen).TotalMilliseconds);
                FromReturn.Add(Stopwatch.GetElapsedTime(returned, seen).TotalMilliseconds);
                Commit.Add(Stopwatch.GetElapsedTime(called, returned).TotalMilliseconds);
                StalePolls += stale;
            }
        }
    }
}
