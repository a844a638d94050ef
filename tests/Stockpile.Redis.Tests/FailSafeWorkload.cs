using System.Collections.Concurrent;
using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Readers and writers on several app instances, run while a test takes Redis away and brings it back: counts what
/// was done (and when), and keeps every exception a caller saw.
/// </summary>
internal sealed class FailSafeWorkload
{
    private readonly IReadOnlyList<AppInstance> _instances;
    private readonly int[] _ids;
    private readonly Func<AppInstance, int, string, Task> _commit;
    private readonly CancellationTokenSource _stop = new();
    private long _reads;
    private long _commits;
    private int _version;
    private Task _running = Task.CompletedTask;

    /// <param name="instances">The app instances to read and commit through.</param>
    /// <param name="ids">The rows.</param>
    /// <param name="commit">Changes a row's name in the database through an instance, as the application would.</param>
    public FailSafeWorkload(IReadOnlyList<AppInstance> instances, int[] ids, Func<AppInstance, int, string, Task> commit)
    {
        _instances = instances;
        _ids = ids;
        _commit = commit;
    }

    public ConcurrentQueue<Exception> Failures { get; } = new();

    public long Reads => Interlocked.Read(ref _reads);

    public long Commits => Interlocked.Read(ref _commits);

    public void Start(int workers) =>
        _running = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => RunAsync(w))));

    /// <summary>Waits until at least <paramref name="count"/> more reads and commits each have been done.</summary>
    public Task<TimeSpan> ProgressAsync(long count)
    {
        var (reads, commits) = (Reads, Commits);
        return RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Reads >= reads + count && Commits >= commits + count), TimeSpan.FromSeconds(30));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    private async Task RunAsync(int worker)
    {
        var random = new Random(worker);
        while (!_stop.IsCancellationRequested)
        {
            var instance = _instances[random.Next(_instances.Count)];
            var id = _ids[random.Next(_ids.Length)];
            try
            {
                switch (random.Next(10))
                {
                    case < 2:
                        await _commit(instance, id, $"v{Interlocked.Increment(ref _version)}");
                        Interlocked.Increment(ref _commits);
                        break;
                    case < 4:
                        await instance.Chain.GetManyAsync<Row, int>(_ids.Take(5 + random.Next(5)));
                        Interlocked.Increment(ref _reads);
                        break;
                    default:
                        await instance.Chain.GetAsync<Row, int>(id);
                        Interlocked.Increment(ref _reads);
                        break;
                }
            }
            catch (Exception ex)
            {
                Failures.Enqueue(ex);
            }

            await Task.Yield();
        }
    }
}
