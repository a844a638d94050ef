using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 5: 1,000 concurrent cold requests for one key. Each round picks a product id no side has read (cold
/// in memory and in Redis), parks 1,000 requests on a gate and opens it (their continuations run on the thread pool),
/// then measures the time until all are served and counts the SQLite queries that ran (a command interceptor on the
/// contexts). Sides: no cache (every request queries: the reference), Stockpile's entity chain (memory → Redis → EF
/// Core, its read compiled by EfCoreStore), Stockpile's <see cref="IStockpileCache"/> on memory over Redis,
/// FusionCache 2.9.0 and the default HybridCache 10.11.0, both with Redis as their second level; every cache's
/// factory runs the same compiled query through a pooled context. Sides take turns round by round. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-stampede [rounds]</c>.
/// </summary>
internal static class PeerStampedeRun
{
    private const int Requests = 1_000;
    private const int IdsPerSide = 150;

    public static async Task RunAsync(int rounds)
    {
        if (rounds + 3 > IdsPerSide)
        {
            throw new ArgumentOutOfRangeException(nameof(rounds), rounds, $"At most {IdsPerSide - 3} rounds: each round needs an id no side has read.");
        }

        await using var servers = await PeerBServers.StartAsync();
        var chainCounter = new PeerBQueryCounter();
        await using var chain = PeerBStockpile.Create(servers, "sp-stampede:", StockpileCommitPolicy.Evict, backplane: false, cache: false, chainCounter);
        var cacheCounter = new PeerBQueryCounter();
        await using var cacheInstance = PeerBStockpile.Create(servers, "sp-stampede-cache:", StockpileCommitPolicy.Evict, backplane: false, cache: true);
        var cache = cacheInstance.Cache;
        var fusionCounter = new PeerBQueryCounter();
        using var fusion = PeerBFusion.Create(servers, "fc-stampede", backplane: false);
        var hybridCounter = new PeerBQueryCounter();
        await using var hybridServices = PeerBHybrid.Create(servers, "hc-stampede");
        var hybrid = hybridServices.GetRequiredService<HybridCache>();
        var noCacheCounter = new PeerBQueryCounter();

        var cacheContexts = Contexts(servers, cacheCounter);
        var fusionContexts = Contexts(servers, fusionCounter);
        var hybridContexts = Contexts(servers, hybridCounter);
        var noCacheContexts = Contexts(servers, noCacheCounter);

        Side[] sides =
        [
            new("no cache: every request runs the query", noCacheCounter, async id => await PeerBQueries.ByIdAsync(noCacheContexts, id)),
            new("Stockpile entity chain GetAsync (memory, Redis, EF Core)", chainCounter, async id => await chain.Chain.GetAsync<Product, int>(id)),
            new("Stockpile IStockpileCache.GetOrCreateAsync (memory over Redis)", cacheCounter, async id =>
                await cache.GetOrCreateAsync(PeerBQueries.Key(id), (Contexts: cacheContexts, Id: id), static async (s, ct) => await PeerBQueries.ByIdAsync(s.Contexts, s.Id, ct))),
            new("FusionCache GetOrSetAsync (memory, Redis)", fusionCounter, async id =>
                await fusion.GetOrSetAsync<Product?>(PeerBQueries.Key(id), (_, ct) => PeerBQueries.ByIdAsync(fusionContexts, id, ct))),
            new("HybridCache GetOrCreateAsync (memory, Redis)", hybridCounter, async id =>
                await hybrid.GetOrCreateAsync(PeerBQueries.Key(id), (Contexts: hybridContexts, Id: id), static async (s, ct) => await PeerBQueries.ByIdAsync(s.Contexts, s.Id, ct))),
        ];

        const int warmup = 3;
        for (var round = 0; round < rounds + warmup; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                var s = (i + round) % sides.Length;
                await sides[s].RoundAsync(s * IdsPerSide + round, measure: round >= warmup);
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"peer stampede: {Requests:N0} concurrent requests for one cold key ({rounds} rounds per side after {warmup} warm-up rounds; sides in turn):"));
        foreach (var side in sides)
        {
            Console.WriteLine($"  {side.Times}");
            Console.WriteLine(string.Create(inv, $"    queries per round: min {side.Queries.Min()}, max {side.Queries.Max()}, mean {side.Queries.Average():N2}"));
        }

        Console.WriteLine("ratios (time to serve all; below 1 is faster):");
        foreach (var stockpile in sides[1..3])
        {
            Console.WriteLine($"  {stockpile.Times.RatioTo(sides[3].Times)}");
            Console.WriteLine($"  {stockpile.Times.RatioTo(sides[4].Times)}");
        }
    }

    private static PooledDbContextFactory<BenchDbContext> Contexts(PeerBServers servers, PeerBQueryCounter counter) =>
        new(servers.Database.Options(o => o.AddInterceptors(counter)));

    private sealed class Side(string name, PeerBQueryCounter counter, Func<int, Task<Product?>> get)
    {
        public PeerBSamples Times { get; } = new(name);

        public List<int> Queries { get; } = [];

        public async Task RoundAsync(int id, bool measure)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var requests = new Task<Product?>[Requests];
            for (var i = 0; i < requests.Length; i++)
            {
                requests[i] = RequestAsync(gate.Task, id);
            }

            counter.Reset();
            var start = Stopwatch.GetTimestamp();
            gate.SetResult();
            var served = await Task.WhenAll(requests);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (served.Any(p => p?.Id != id))
            {
                throw new InvalidOperationException($"{name}: a request was not served product {id}.");
            }

            if (measure)
            {
                Times.Add(elapsed);
                Queries.Add(counter.Count);
            }
        }

        private async Task<Product?> RequestAsync(Task gate, int id)
        {
            await gate;
            return await get(id);
        }
    }
}
