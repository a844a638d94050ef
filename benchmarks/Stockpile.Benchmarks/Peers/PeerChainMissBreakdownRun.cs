namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 3 (a miss served from the database), part by part: the same blocks of 100 products (every level
/// emptied first, as in <see cref="PeerReadDatabaseBenchmarks"/>) read by the compiled query alone, by the chain's EF Core
/// tier alone (a pooled context with Stockpile's interceptors, the entity's key query), by the Redis tier as the chain
/// reads it on a miss (the lease's <c>TIME</c> beside the read, after a <c>FLUSHDB</c>), by the whole chain, by the
/// string cache, and by the peers. What the chain adds to its tiers is the last part less the three before it. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-chain-miss [rounds]</c>.
/// </summary>
internal static class PeerChainMissBreakdownRun
{
    public static async Task RunAsync(int rounds)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await database.SetupAsync();
        try
        {
            var setup = database.Setup;
            var redis = setup.Chain.Tiers[1];
            var efCore = setup.Chain.Tiers[2];
            var keys = Enumerable.Range(0, PeerReadDatabaseBenchmarks.Block).Select(static id => EntityKey.For<Product>(id)).ToArray();
            (string Name, Func<Task> Run)[] parts =
            [
                ("floor: the compiled query alone, pooled context", database.QueryOnly),
                ("EF Core tier alone `GetAsync<Product, int>`", async () =>
                {
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        _ = (await efCore.GetAsync<Product, int>(id))!.Id;
                    }

                    database.CountReads(PeerReadDatabaseBenchmarks.Block);
                }),
                ("Redis tier, a miss read for a chain (with the lease), after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    foreach (var key in keys)
                    {
                        if ((await redis.ReadForChainAsync(key, default)).Value is not null)
                        {
                            throw new InvalidOperationException("The Redis tier was to miss.");
                        }
                    }
                }),
                ("Stockpile chain `GetAsync<Product, int>`", database.StockpileChain),
                ("Stockpile cache `GetOrCreateAsync`", database.StockpileCache),
                ("FusionCache `GetOrSetAsync`", database.FusionCache),
                ("HybridCache `GetOrCreateAsync`", database.HybridCache),
            ];
            await PeerChainReadBreakdownRun.MeasureInTurnAsync("Item 3, a miss served from the database", parts, rounds);
        }
        finally
        {
            await database.CleanupAsync();
        }
    }
}
