using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Testing.Servers;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Stockpile, FusionCache and HybridCache set up side by side for the peer benchmarks (issue 12), over the same data:
/// one private redis-server started for the run and one SQLite file of <see cref="BenchDatabase.Count"/> products.
/// <list type="bullet">
/// <item>Stockpile: the chain memory → Redis → EF Core (with the interceptor and the Redis backplane) for entities, and
/// <see cref="IStockpileCache"/> as memory over Redis for string keys; Redis database <see cref="StockpileDatabase"/>.</item>
/// <item>FusionCache 2.9.0: its own <see cref="MemoryCache"/> as L1, <see cref="RedisCache"/> as L2 with its System.Text.Json
/// serializer, and its StackExchange.Redis backplane; Redis database <see cref="FusionDatabase"/>.</item>
/// <item>HybridCache 10.11.0 (<c>AddHybridCache</c>): its own <see cref="MemoryCache"/> as L1 and <see cref="RedisCache"/>
/// (<c>AddStackExchangeRedisCache</c>) as its <c>IDistributedCache</c>; Redis database <see cref="HybridDatabase"/>.</item>
/// </list>
/// FusionCache and HybridCache are made by <see cref="PeerBFusion"/> and <see cref="PeerBHybrid"/>, as in the other peer
/// benchmarks, given their database and memory level.
/// Each library keeps its Redis entries in a database of its own, so that a benchmark can empty one library's second
/// level (<c>FLUSHDB</c>) without touching the others; each is given its own <see cref="MemoryCache"/> (or, for Stockpile,
/// its memory tiers are reached directly) so that its first level can be emptied without going through the library.
/// The peers' factories run <see cref="LoadAsync"/>: one <see cref="EF.CompileAsyncQuery{TContext, TParam1, TResult}(System.Linq.Expressions.Expression{Func{TContext, TParam1, TResult}})"/>
/// on a context from the same pooled factory, the way Stockpile's EF Core tier reads. Every query any of them runs is
/// counted (<see cref="Queries"/>), so that a benchmark can prove it measured what it claims (a Redis hit runs none).
/// </summary>
public sealed class PeerSetup : IAsyncDisposable
{
    /// <summary>The Redis database Stockpile's entries live in.</summary>
    public const int StockpileDatabase = 1;

    /// <summary>The Redis database FusionCache's L2 lives in.</summary>
    public const int FusionDatabase = 2;

    /// <summary>The Redis database HybridCache's L2 lives in.</summary>
    public const int HybridDatabase = 3;

    /// <summary>Every entry's lifetime, on every level of every library.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets whether Stockpile's shared-tier writes after a miss follow the answer
    /// (<see cref="StockpileOptions.BackfillSharedTiersInBackground"/> and <see cref="StockpileCacheOptions.WriteMadeValuesInBackground"/>,
    /// both on by default); <c>--paired-peers … awaited</c> turns them off for set-ups started afterwards.
    /// </summary>
    public static bool BackgroundWrites { get; set; } = true;

    private static readonly Func<BenchDbContext, int, Task<Product?>> s_byId =
        EF.CompileAsyncQuery((BenchDbContext context, int id) => context.Products.AsNoTracking().FirstOrDefault(p => p.Id == id));

    private readonly QueryCounter _queries = new();
    private ServiceProvider _stockpile = null!;
    private ServiceProvider _hybridServices = null!;
    private ConnectionMultiplexer _admin = null!;

    private PeerSetup()
    {
    }

    /// <summary>Gets the SQLite file.</summary>
    public BenchDatabase Database { get; private set; } = null!;

    /// <summary>Gets the private redis-server.</summary>
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Gets the pooled context factory the peers' factories use (no Stockpile interceptor).</summary>
    public IDbContextFactory<BenchDbContext> Contexts { get; private set; } = null!;

    /// <summary>Gets Stockpile's entity chain: memory → Redis → EF Core.</summary>
    public ChainedStore Chain { get; private set; } = null!;

    /// <summary>Gets the chain's memory tier.</summary>
    public MemoryStore ChainMemory { get; private set; } = null!;

    /// <summary>Gets Stockpile's string-key cache: memory over Redis.</summary>
    public IStockpileCache Cache { get; private set; } = null!;

    /// <summary>Gets the string-key cache's memory level.</summary>
    internal MemoryCacheTier CacheMemory { get; private set; } = null!;

    /// <summary>Gets FusionCache, with L2 and backplane on Redis.</summary>
    public FusionCache Fusion { get; private set; } = null!;

    /// <summary>Gets FusionCache's L1.</summary>
    public MemoryCache FusionMemory { get; } = new(new MemoryCacheOptions());

    /// <summary>Gets HybridCache, with Redis as its <c>IDistributedCache</c>.</summary>
    public HybridCache Hybrid { get; private set; } = null!;

    /// <summary>Gets HybridCache's L1.</summary>
    public MemoryCache HybridMemory { get; } = new(new MemoryCacheOptions());

    /// <summary>Gets the number of SQL queries run so far, by any library or by the peers' factories.</summary>
    public long Queries => Interlocked.Read(ref _queries.Count);

    /// <summary>Starts the server, makes the database and builds the three libraries.</summary>
    /// <returns>The set-up.</returns>
    public static async Task<PeerSetup> StartAsync()
    {
        var setup = new PeerSetup { Database = new BenchDatabase(), Redis = await RedisServer.StartAsync() };
        await setup.BuildAsync();
        return setup;
    }

    /// <summary>The peers' factory: one row by primary key through the compiled query, on a pooled context.</summary>
    /// <param name="id">The product's id.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The product.</returns>
    /// <exception cref="InvalidOperationException">The database has no such product.</exception>
    public async Task<Product> LoadAsync(int id, CancellationToken cancellationToken)
    {
        await using var context = await Contexts.CreateDbContextAsync(cancellationToken);
        return await s_byId(context, id) ?? throw new InvalidOperationException($"The benchmark database has no product {id}.");
    }

    /// <summary>The batch factory: the rows of many ids in one query, on a pooled context.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The rows found.</returns>
    public async Task<List<Product>> LoadManyAsync(IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        await using var context = await Contexts.CreateDbContextAsync(cancellationToken);
        return await context.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
    }

    /// <summary>Runs a benchmark's operation twice and fails unless each run made exactly <paramref name="expected"/> queries.</summary>
    /// <param name="name">The operation's name, for the message.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="expected">The queries one run must make.</param>
    /// <returns>A task that completes when both runs are checked.</returns>
    /// <exception cref="InvalidOperationException">A run made another number of queries.</exception>
    public async Task ExpectQueriesAsync(string name, Func<Task> operation, long expected)
    {
        for (var run = 0; run < 2; run++)
        {
            var before = Queries;
            await operation();
            if (Queries - before != expected)
            {
                throw new InvalidOperationException($"{name} ran {Queries - before} database queries where {expected} were expected: it does not measure what it claims.");
            }
        }
    }

    /// <summary>Empties one Redis database (one library's second level).</summary>
    /// <param name="database">The database number.</param>
    /// <returns>A task that completes when it is empty.</returns>
    public Task FlushAsync(int database) => _admin.GetDatabase(database).ExecuteAsync("FLUSHDB");

    /// <summary>Gets the number of keys in one Redis database.</summary>
    /// <param name="database">The database number.</param>
    /// <returns>The number of keys.</returns>
    public async Task<long> KeysAsync(int database) => (long)await _admin.GetDatabase(database).ExecuteAsync("DBSIZE");

    /// <summary>Gets the CPU time the redis-server has used so far (user and system, from <c>INFO cpu</c>).</summary>
    /// <returns>The seconds.</returns>
    public async Task<double> ServerCpuSecondsAsync()
    {
        var info = (string)(await _admin.GetDatabase().ExecuteAsync("INFO", "cpu"))!;
        double total = 0;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("used_cpu_user:", StringComparison.Ordinal) || line.StartsWith("used_cpu_sys:", StringComparison.Ordinal))
            {
                total += double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Resets the server's command statistics (<c>CONFIG RESETSTAT</c>).</summary>
    /// <returns>A task that completes when they are reset.</returns>
    public Task ResetStatsAsync() => _admin.GetDatabase().ExecuteAsync("CONFIG", "RESETSTAT");

    /// <summary>Gets <c>INFO commandstats</c> as the server answers it.</summary>
    /// <returns>The text.</returns>
    public async Task<string> CommandStatsTextAsync() => (string)(await _admin.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;

    /// <summary>Gets the server's time per call of one command since the last <see cref="ResetStatsAsync"/> (<c>usec_per_call</c> in <c>INFO commandstats</c>).</summary>
    /// <param name="command">The command, lower case (<c>evalsha</c>, <c>set</c>).</param>
    /// <returns>The calls and the µs per call; zero calls when it was not called.</returns>
    public async Task<(long Calls, double MicrosecondsPerCall)> CommandStatAsync(string command)
    {
        var info = (string)(await _admin.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;
        var prefix = "cmdstat_" + command + ":";
        foreach (var line in info.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            long calls = 0;
            double perCall = 0;
            foreach (var field in line[prefix.Length..].Trim().Split(','))
            {
                var (name, value) = (field[..field.IndexOf('=', StringComparison.Ordinal)], field[(field.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                if (name == "calls")
                {
                    calls = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name == "usec_per_call")
                {
                    perCall = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return (calls, perCall);
        }

        return (0, 0);
    }

    /// <summary>Gets a string key of the product with this id (the peers' and the string-key cache's key).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The key.</returns>
    public static string KeyOf(int id) => "product:" + id;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Fusion.Dispose();
        await _hybridServices.DisposeAsync();
        await _stockpile.DisposeAsync();
        FusionMemory.Dispose();
        HybridMemory.Dispose();
        await _admin.DisposeAsync();
        await Redis.DisposeAsync();
        Database.Dispose();
    }

    private async Task BuildAsync()
    {
        var server = Redis.ConnectionString;
        _admin = await ConnectionMultiplexer.ConnectAsync(server + ",allowAdmin=true");

        var peerContexts = new ServiceCollection();
        peerContexts.AddPooledDbContextFactory<BenchDbContext>(o => o.UseSqlite(Database.ConnectionString).AddInterceptors(_queries));
        Contexts = peerContexts.BuildServiceProvider().GetRequiredService<IDbContextFactory<BenchDbContext>>();

        var stockpile = new ServiceCollection();
        stockpile.AddPooledDbContextFactory<BenchDbContext>((sp, o) => o.UseSqlite(Database.ConnectionString).AddInterceptors(_queries).AddStockpileInterceptor(sp));
        stockpile.AddStockpile(o => o.BackfillSharedTiersInBackground = BackgroundWrites)
            .AddMemoryStore(o => o.DefaultLifetime = Lifetime)
            .AddRedisStore(o =>
            {
                o.Configuration = server + ",defaultDatabase=" + StockpileDatabase;
                o.KeyPrefix = "sp:";
                o.DefaultLifetime = Lifetime;
            })
            .AddRedisBackplane()
            .AddEfCoreStore<BenchDbContext>()
            .AddRedisCache(configure: o =>
            {
                o.KeyPrefix = "peers";
                o.DefaultExpiration = Lifetime;
                o.WriteMadeValuesInBackground = BackgroundWrites;
            });
        _stockpile = stockpile.BuildServiceProvider();
        Chain = _stockpile.GetRequiredService<ChainedStore>();
        ChainMemory = (MemoryStore)Chain.Tiers[0];
        Cache = _stockpile.GetRequiredService<IStockpileCache>();
        CacheMemory = ((LayeredCacheTier)((StockpileCache)Cache).Tier).Memory;
        _ = _stockpile.GetRequiredService<IStockpileBackplane>();

        Fusion = PeerBFusion.Create(server + ",defaultDatabase=" + FusionDatabase, "fc", Lifetime, FusionMemory);
        _hybridServices = PeerBHybrid.Create(server + ",defaultDatabase=" + HybridDatabase, "hc", Lifetime, HybridMemory);
        Hybrid = _hybridServices.GetRequiredService<HybridCache>();
    }

    /// <summary>Counts every query run on the contexts it is added to.</summary>
    private sealed class QueryCounter : DbCommandInterceptor
    {
        public long Count;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Interlocked.Increment(ref Count);
            return base.ReaderExecuting(command, eventData, result);
        }
    }
}
