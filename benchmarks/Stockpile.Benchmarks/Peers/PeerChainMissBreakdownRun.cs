using Stockpile.Internal.Caching;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 3 (a miss served from the database), part by part: the same blocks of 100 products (every level
/// emptied first, as in <see cref="PeerReadDatabaseBenchmarks"/>) read by the compiled query alone, by the chain's EF Core
/// tier alone (a pooled context with Stockpile's interceptors, the entity's key query), by the Redis tier as the chain
/// reads it on a miss (the lease's <c>TIME</c> beside the read, after a <c>FLUSHDB</c>), with its back-fill awaited or
/// not, by a chain without its Redis tier, by the chain's parts called by hand and HybridCache's likewise (a bare
/// <c>GET</c>, the query, a <c>SETEX</c>), by the string cache's Redis tier (its read for a get-or-create, then its made
/// value's write) and its memory over Redis (that read, then the value stored: write and message in the background),
/// by the whole chain, by the string cache, and by the peers; each with the CPU
/// time per read of this process and of the redis-server. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-chain-miss [rounds] [part]</c> (with a
/// part, only the parts whose name holds it, beside the chain and HybridCache); <c>--peer-chain-miss-server [runs]</c>
/// gives the server's time per back-fill (<see cref="ServerTimeAsync"/>), and <c>--peer-chain-miss-profile chain|cache|hybrid
/// seconds</c> runs one side alone for a sampling profiler.
/// </summary>
internal static class PeerChainMissBreakdownRun
{
    /// <summary>Runs one side alone for <paramref name="seconds"/>, for a sampling profiler (<c>perf record -g -p</c> the printed process).</summary>
    public static async Task ProfileAsync(string side, int seconds)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await database.SetupAsync();
        try
        {
            Func<Task> run = side switch
            {
                "chain" => database.StockpileChain,
                "hybrid" => database.HybridCache,
                "cache" => database.StockpileCache,
                _ => throw new ArgumentException("chain, hybrid or cache", nameof(side)),
            };
            await RunForProfilerAsync(side, run, 50, seconds, PeerReadDatabaseBenchmarks.Block);
        }
        finally
        {
            await database.CleanupAsync();
        }
    }

    /// <summary>
    /// Warms <paramref name="run"/> up, prints this process's id, then runs it for <paramref name="seconds"/> (a
    /// sampling profiler attaches meanwhile) and prints the time per read (<paramref name="block"/> reads a run).
    /// </summary>
    internal static async Task RunForProfilerAsync(string side, Func<Task> run, int warmups, int seconds, int block)
    {
        for (var i = 0; i < warmups; i++)
        {
            await run();
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"profiling process {Environment.ProcessId}: {seconds} s of {side}"));
        var blocks = 0;
        var end = System.Diagnostics.Stopwatch.GetTimestamp() + (seconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
        {
            await run();
            blocks++;
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{blocks} blocks, {seconds * 1e6 / blocks / block:N1} us a read"));
    }

    /// <summary>
    /// The server's time per call (<c>usec_per_call</c> of <c>INFO commandstats</c>, the minimum of <paramref name="runs"/>
    /// runs of 1,000 products, the sides in turn) of what follows a miss served from the database: the store's back-fill
    /// (the read for a chain, then the back-fill with its lease, product by product, after a <c>FLUSHDB</c>), the same
    /// back-fill sent as the put script's (the general code every back-fill ran before lane miss7), a put of the same
    /// products (not a back-fill), and HybridCache's second-level write, a plain <c>SETEX</c> of the product's JSON.
    /// </summary>
    public static async Task ServerTimeAsync(int runs)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await database.SetupAsync();
        try
        {
            var setup = database.Setup;
            var redis = (RedisStore)setup.Chain.Tiers[1];
            var products = new Product[BenchDatabase.Count];
            for (var id = 0; id < products.Length; id++)
            {
                products[id] = await setup.LoadAsync(id, default);
            }

            database.CountReads(products.Length);
            await using var bareConnection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(setup.Redis.ConnectionString);
            var bare = bareConnection.GetDatabase(PeerSetup.StockpileDatabase);
            var prefix = redis.KeyPrefixForTests;
            (string Name, string Command, Func<Product, Task> Run)[] sides =
            [
                ("the store's back-fill (read for a chain, then its back-fill)", "evalsha", async product =>
                {
                    var read = await redis.ReadForChainAsync(EntityKey.For<Product>(product.Id), default);
                    await redis.BackfillUntypedAsync([product], read.Lease, default);
                }),
                ("the same back-fill by the put script's general code (before)", "evalsha", async product =>
                {
                    var read = await redis.ReadForChainAsync(EntityKey.For<Product>(product.Id), default);
                    StackExchange.Redis.RedisKey[] keys =
                    [
                        Stockpile.Redis.Internal.RedisKeyPatterns.ObjectKey(prefix, EntityKey.For<Product>(product.Id).EncodeCompact(false)),
                        Stockpile.Redis.Internal.RedisKeyPatterns.ObjectKey(prefix, EntityKey.Of<Product>(nameof(Product.Sku), product.Sku).EncodeCompact(false)),
                    ];
                    _ = await Stockpile.Redis.Internal.RedisScripts.Put.EvaluateAsync(bare, keys, [(string)read.Lease!, prefix, string.Empty, 1, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(product), (long)PeerSetup.Lifetime.TotalMilliseconds], default);
                }),
                ("a put of the same products (not a back-fill)", "evalsha", async product => await redis.PutAsync(product)),
                ("HybridCache's write: SETEX of the JSON", "setex", async product => await bare.StringSetAsync("bare:" + product.Id, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(product), PeerSetup.Lifetime)),
            ];
            var best = sides.Select(_ => double.MaxValue).ToArray();
            for (var run = 0; run < runs; run++)
            {
                for (var i = 0; i < sides.Length; i++)
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);

                    // The flush took the store's clear fence: the store's first call after it (as after a restart) is refused and starts it again.
                    await bare.StringSetAsync(Stockpile.Redis.Internal.RedisKeyPatterns.ClearFenceKey(prefix), "1000000000000000");
                    await setup.ResetStatsAsync();
                    foreach (var product in products)
                    {
                        await sides[i].Run(product);
                    }

                    best[i] = Math.Min(best[i], (await setup.CommandStatAsync(sides[i].Command)).MicrosecondsPerCall);
                }
            }

            var inv = System.Globalization.CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"The server's time per call, min of {runs} runs of {products.Length}, load average {PeerReadPairedRun.LoadAverage()}"));
            Console.WriteLine();
            Console.WriteLine("| call | µs per call |");
            Console.WriteLine("| --- | ---: |");
            for (var i = 0; i < sides.Length; i++)
            {
                Console.WriteLine(string.Create(inv, $"| {sides[i].Name} | {best[i]:N2} |"));
            }
        }
        finally
        {
            await database.CleanupAsync();
        }
    }

    public static async Task RunAsync(int rounds, string? only = null)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await database.SetupAsync();
        try
        {
            var setup = database.Setup;
            var redis = setup.Chain.Tiers[1];
            var efCore = setup.Chain.Tiers[2];
            var keys = Enumerable.Range(0, PeerReadDatabaseBenchmarks.Block).Select(static id => EntityKey.For<Product>(id)).ToArray();
            var products = new Product[PeerReadDatabaseBenchmarks.Block];
            for (var id = 0; id < products.Length; id++)
            {
                products[id] = await setup.LoadAsync(id, default);
            }

            database.CountReads(products.Length);

            var cacheLayered = (LayeredCacheTier)((StockpileCache)setup.Cache).Tier;
            var cacheRedis = cacheLayered.Shared;
            var cacheKeys = Enumerable.Range(0, PeerReadDatabaseBenchmarks.Block).Select(static id => "miss-part:" + id).ToArray();
            var probeMemory = new MemoryStore();
            var probeChain = new ChainedStore([probeMemory, efCore]);
            await using var bareConnection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(setup.Redis.ConnectionString);
            var bare = bareConnection.GetDatabase(PeerSetup.StockpileDatabase);
            var bareKeys = Enumerable.Range(0, PeerReadDatabaseBenchmarks.Block).Select(static id => (StackExchange.Redis.RedisKey)("bare:" + id)).ToArray();
            var bareValues = products.Select(static p => (StackExchange.Redis.RedisValue)System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(p)).ToArray();
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
                ("the chain over memory and EF Core only (no Redis tier)", async () =>
                {
                    await probeMemory.ClearAsync();
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        _ = (await probeChain.GetAsync<Product, int>(id))!.Id;
                    }

                    database.CountReads(PeerReadDatabaseBenchmarks.Block);
                }),
                ("Redis tier, a miss read for a chain then its back-fill, awaited, after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        var read = await redis.ReadForChainAsync(keys[id], default);
                        await redis.BackfillUntypedAsync([products[id]], read.Lease, default);
                    }
                }),
                ("Redis tier, a miss read for a chain then its back-fill, not awaited, after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    ValueTask last = default;
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        var read = await redis.ReadForChainAsync(keys[id], default);
                        last = redis.BackfillUntypedAsync([products[id]], read.Lease, default);
                    }

                    await last;
                }),
                ("the cache's Redis tier, a miss read for a get-or-create (with its mark), after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    foreach (var key in cacheKeys)
                    {
                        if ((await cacheRedis.ReadForMakeAsync(key, default)).Entry is not null)
                        {
                            throw new InvalidOperationException("The cache's Redis tier was to miss.");
                        }
                    }
                }),
                ("the cache's Redis tier, that read then the made value's write, not awaited, after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    ValueTask<MadeWrite> last = default;
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        var read = await cacheRedis.ReadForMakeAsync(cacheKeys[id], default);
                        last = cacheRedis.SetUnlessWrittenSinceAsync(cacheKeys[id], new CacheEntry(products[id], null, null, CacheDeadline.Never, null), read.Mark, null, default);
                    }

                    await last;
                }),
                ("the cache's memory over Redis, that read then the made value stored (write and message in the background)", async () =>
                {
                    cacheLayered.Memory.Clear();
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        var read = await cacheLayered.ReadForMakeAsync(cacheKeys[id], default);
                        await cacheLayered.SetMadeAsync(cacheKeys[id], new CacheEntry(products[id], null, null, CacheDeadline.Never, null), read.Mark, default);
                    }

                    await cacheLayered.SettledAsync();
                }),
                ("bare `GET` miss then `SETEX` not awaited (HybridCache's Redis calls), after `FLUSHDB`", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        _ = await bare.StringGetAsync(bareKeys[id]);
                        _ = bare.StringSetAsync(bareKeys[id], bareValues[id], PeerSetup.Lifetime, flags: StackExchange.Redis.CommandFlags.FireAndForget);
                    }
                }),
                ("the chain's parts by hand: Redis miss read, EF Core tier, back-fill not awaited", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        var read = await redis.ReadForChainAsync(keys[id], default);
                        var found = (await efCore.GetAsync<Product, int>(id))!;
                        _ = redis.BackfillUntypedAsync([found], read.Lease, default).AsTask();
                    }

                    database.CountReads(PeerReadDatabaseBenchmarks.Block);
                }),
                ("HybridCache's parts by hand: bare `GET` miss, the query, `SETEX` not awaited", async () =>
                {
                    await setup.FlushAsync(PeerSetup.StockpileDatabase);
                    for (var id = 0; id < PeerReadDatabaseBenchmarks.Block; id++)
                    {
                        _ = await bare.StringGetAsync(bareKeys[id]);
                        var found = await setup.LoadAsync(id, default);
                        _ = bare.StringSetAsync(bareKeys[id], System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(found), PeerSetup.Lifetime, flags: StackExchange.Redis.CommandFlags.FireAndForget);
                    }

                    database.CountReads(PeerReadDatabaseBenchmarks.Block);
                }),
                ("Stockpile chain `GetAsync<Product, int>`", database.StockpileChain),
                ("Stockpile cache `GetOrCreateAsync`", database.StockpileCache),
                ("FusionCache `GetOrSetAsync`", database.FusionCache),
                ("HybridCache `GetOrCreateAsync`", database.HybridCache),
            ];
            if (only is not null)
            {
                parts = [.. parts.Where(p => p.Name.Contains(only, StringComparison.Ordinal) || p.Name.StartsWith("Stockpile chain", StringComparison.Ordinal) || p.Name.StartsWith("HybridCache", StringComparison.Ordinal))];
            }

            await PeerChainReadBreakdownRun.MeasureInTurnAsync("Item 3, a miss served from the database", parts, rounds, setup.ServerCpuSecondsAsync);
        }
        finally
        {
            await database.CleanupAsync();
        }
    }
}
