using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// The torture suite's one workload engine: workers on every app instance read (through the chain, by primary and
/// alternate key, in batches, and each tier alone; a cached query, its compiled form, a value under a token key) and write (SaveChanges, explicit and ambient transactions committed
/// or rolled back, savepoints, bulk updates, chain puts) random rows of one database. Every read is checked against
/// what had been committed when it began (<see cref="RowLedger"/>); at the end, once quiet, every tier of every
/// instance is compared with the database. It counts what it tried and keeps every failure, stale read and lost write.
/// </summary>
internal sealed partial class TortureWorkload
{
    private readonly IReadOnlyList<AppInstance> _instances;
    private readonly TortureDatabase _database;
    private readonly int[] _ids;
    private readonly RowLedger _ledger;
    private readonly ConcurrentDictionary<string, long> _operations = new(StringComparer.Ordinal);
    private readonly long[] _writesBy;
    private CancellationTokenSource _stop = new();
    private long _budget;
    private long _done;
    private long _checked;
    private Task _running = Task.CompletedTask;

    /// <param name="instances">The app instances (each over the same Redis and <paramref name="database"/>).</param>
    /// <param name="database">The database.</param>
    /// <param name="ids">The rows, seeded at version 0.</param>
    /// <param name="seed">The seed of the workers' random choices (printed, to replay a run).</param>
    public TortureWorkload(IReadOnlyList<AppInstance> instances, TortureDatabase database, int[] ids, int seed)
    {
        _instances = instances;
        _database = database;
        _ids = ids;
        _ledger = new RowLedger(ids, instances.Count);
        _writesBy = new long[instances.Count];
        Seed = seed;
    }

    public int Seed { get; }

    /// <summary>
    /// Gets or sets a value indicating whether a read of Redis alone must be as new as any instance's returned write.
    /// True while Redis is reachable by all; during and after a fault only an instance's own writes bind its reads of
    /// Redis (another instance's missed evictions are cleaned up by that instance, when it next reaches Redis).
    /// </summary>
    public bool SharedRedisFloor { get; set; } = true;

    /// <summary>
    /// Gets a value indicating whether the workers read cached queries (the instances must have a query cache).
    /// </summary>
    public bool CachedQueries { get; init; } = true;

    public ConcurrentQueue<Exception> Failures { get; } = new();

    /// <summary>Gets reads that returned an older state than a returned write, or a rolled-back one, or lost a row.</summary>
    public ConcurrentQueue<string> Stale { get; } = new();

    /// <summary>Gets writes that returned but whose version the database does not hold at the end.</summary>
    public ConcurrentQueue<string> Lost { get; } = new();

    public long Done => Interlocked.Read(ref _done);

    /// <summary>Gets how many writes through <paramref name="instance"/> returned (commits, puts, bulk updates; not rollbacks).</summary>
    public long WritesBy(int instance) => Interlocked.Read(ref _writesBy[instance]);

    /// <summary>Runs <paramref name="operations"/> operations on <paramref name="workers"/> workers, and returns when all are done.</summary>
    public async Task RunAsync(int workers, long operations)
    {
        Interlocked.Exchange(ref _budget, operations);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w))));
    }

    /// <summary>Starts <paramref name="workers"/> workers that run until <see cref="StopAsync"/> (again after a stop, too).</summary>
    public void Start(int workers)
    {
        _stop = new CancellationTokenSource();
        Interlocked.Exchange(ref _budget, long.MaxValue);
        _running = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w))));
    }

    /// <summary>Waits until <paramref name="operations"/> more operations are done (60 s at most, else the test fails).</summary>
    public Task ProgressAsync(long operations)
    {
        var target = Done + operations;
        return TortureWaits.UntilAsync(() => Task.FromResult(Done >= target), TimeSpan.FromSeconds(60), $"{operations} more operations");
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    private async Task WorkAsync(int worker)
    {
        var random = new Random(Seed + worker + (int)Done);
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested && Interlocked.Decrement(ref _budget) >= 0)
        {
            var instance = random.Next(_instances.Count);
            var id = _ids[random.Next(_ids.Length)];
            string operation;
            try
            {
                operation = await RunOneAsync(random, instance, id);
            }
            catch (Exception ex)
            {
                operation = "failed";
                Failures.Enqueue(ex);
            }

            _operations.AddOrUpdate(operation, 1, static (_, n) => n + 1);
            Interlocked.Increment(ref _done);
        }
    }

    private Task<string> RunOneAsync(Random random, int instance, int id) => random.Next(100) switch
    {
        < 20 => ReadByIdAsync(instance, id),
        < 27 => ReadByCodeAsync(instance, id),
        < 34 => ReadManyAsync(instance, [.. _ids.Where(_ => random.Next(3) == 0)]),
        < 38 => ReadMemoryAsync(instance, id),
        < 42 => ReadRedisAsync(instance, id),
        < 45 => CachedQueries ? ReadCachedQueryAsync(instance, id) : ReadByIdAsync(instance, id),
        < 48 => CachedQueries ? ReadCompiledQueryAsync(instance, id) : ReadByIdAsync(instance, id),
        < 51 => ReadTokenKeyedAsync(instance, id),
        < 64 => CommitAsync(instance, id, ownTransaction: random.Next(2) == 0),
        < 69 => PutAsync(instance, id),
        < 74 => BulkUpdateAsync(instance, id),
        < 79 => TwoRowsAsync(instance, id, _ids[random.Next(_ids.Length)]),
        < 86 => RollbackAsync(instance, id),
        < 92 => SavepointAsync(instance, id),
        _ => _database.SupportsTransactionScope ? ScopeAsync(instance, id, complete: random.Next(2) == 0) : RollbackAsync(instance, id),
    };

    private IDbContextFactory<RowDbContext> Factory(int instance) =>
        _instances[instance].Services.GetRequiredService<IDbContextFactory<RowDbContext>>();
}
