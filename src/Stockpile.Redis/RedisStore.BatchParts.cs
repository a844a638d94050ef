using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// EXPERIMENT (lane batch7, measured with <c>-- --redis-batch-parts</c>; off by default and removed in the next commit):
/// a large batch on one server is read as a few <c>MGET</c>s of consecutive keys, sent together on the connection:
/// each part's values are deserialized as soon as its own reply is in, by the thread that completes it, so the parts
/// are deserialized side by side on the machine's cores instead of one after another on the caller's.
/// </content>
public sealed partial class RedisStore
{
    /// <summary>Gets or sets the fewest keys a part holds (experiment knob).</summary>
    internal static int MinKeysPerPart { get; set; } = 50;

    /// <summary>Gets or sets the most parts a batch is split into (experiment knob; 1 reads every batch with one <c>MGET</c>, as before).</summary>
    internal static int MaxBatchParts { get; set; } = 1;

    // What the experiment counts: parts whose reading began while another part was being read, and the time from the
    // first part's reply being taken up to the last's.
#pragma warning disable CA2211, SA1401, CS1591
    private static int s_active;
    internal static int OverlappedParts;
    internal static int ReadParts;
    internal static readonly System.Collections.Concurrent.ConcurrentQueue<double> ArrivalGaps = new();
#pragma warning restore CA2211, SA1401, CS1591

    /// <summary>How many <c>MGET</c>s a batch of <paramref name="count"/> keys on one server is read with.</summary>
    private static int BatchParts(int count) => Math.Clamp(count / Math.Max(MinKeysPerPart, 1), 1, Math.Max(MaxBatchParts, 1));

    /// <summary>
    /// Sends one <c>MGET</c> per part of <paramref name="keys"/> (all before any reply is awaited), reads each part's
    /// objects into <paramref name="results"/> as its reply comes in, and waits for them all; <see langword="false"/>
    /// when a value is not a readable object (see <see cref="TryReadReply{T, TKey}"/>). Disposes <paramref name="keys"/>.
    /// </summary>
    private async ValueTask<bool> ReadInPartsAsync<T, TKey>(IDatabase database, PooledKeyBytes keys, int parts, KeyDefinition key, bool shortForm, IReadOnlyList<TKey> primaryKeys, T?[] results, CancellationToken cancellationToken)
        where T : class
    {
        var reads = new Task<bool>[parts];
        var arrivals = new long[parts];
        try
        {
            for (var part = 0; part < parts; part++)
            {
                var start = (int)((long)keys.Count * part / parts);
                var count = (int)((long)keys.Count * (part + 1) / parts) - start;
                try
                {
                    reads[part] = ReadPartAsync(SendMultiGet(database, keys, start, count), key, shortForm, primaryKeys, results, start, count, arrivals, part);
                }
                catch (Exception ex)
                {
                    reads[part] = Task.FromException<bool>(ex);
                }
            }
        }
        finally
        {
            keys.Dispose();
        }

        var all = Task.WhenAll(reads);
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!all.IsCompleted)
        {
            // The parts still read (and dispose) their replies when they come; a failure among them is observed here.
            _ = all.ContinueWith(static read => read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        ArrivalGaps.Enqueue(System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]).TotalMicroseconds);
        var readable = true;
        foreach (var read in reads)
        {
            readable &= read.Result;
        }

        return readable;
    }

    /// <summary>Reads one part's reply into its place in <paramref name="results"/>, on the thread its reply completes on.</summary>
    private async Task<bool> ReadPartAsync<T, TKey>(Task<RespResult> pending, KeyDefinition key, bool shortForm, IReadOnlyList<TKey> primaryKeys, T?[] results, int start, int count, long[] arrivals, int part)
        where T : class
    {
        using var reply = await pending.ConfigureAwait(false);
        arrivals[part] = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref s_active) > 1)
        {
            Interlocked.Increment(ref OverlappedParts);
        }

        Interlocked.Increment(ref ReadParts);
        try
        {
            return TryReadReply(reply, key, shortForm, primaryKeys, results, start, count);
        }
        finally
        {
            Interlocked.Decrement(ref s_active);
        }
    }
}
