using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Stockpile.Benchmarks.Latency;

/// <summary>
/// Delivers chunks of bytes to sockets a fixed time after they were handed in: a queue in arrival order (the delay is
/// the same for every chunk, so the queue is also in order of due time) served by one thread that sleeps until the
/// head is due (<see cref="PreciseSleep"/>) and writes it. Order is kept per socket, as TCP needs; a chunk never
/// overtakes one handed in before it, so after the delay is lowered, chunks already queued are still served first.
/// Records how late each chunk was written (its write's start against its due time): the delay's own error. A write
/// blocks the line until the kernel takes the bytes: fine for a client and a server that read what they are sent.
/// </summary>
internal sealed class DelayLine : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<Chunk> _queue = new();
    private readonly Thread _thread;
    private readonly List<double> _lateness = [];
    private long _delayTicks;
    private bool _stopping;

    public DelayLine()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "latency proxy delay line" };
        _thread.Start();
    }

    /// <summary>Gets or sets the time between a chunk being handed in and written; applies to chunks handed in from now.</summary>
    public TimeSpan Delay
    {
        get => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _delayTicks));
        set => Volatile.Write(ref _delayTicks, (long)(value.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Queues <paramref name="length"/> bytes of <paramref name="buffer"/> (rented from <see cref="ArrayPool{T}.Shared"/>, returned once written) for <paramref name="target"/>.</summary>
    public void Send(Socket target, byte[] buffer, int length)
    {
        var due = Stopwatch.GetTimestamp() + Volatile.Read(ref _delayTicks);
        lock (_gate)
        {
            _queue.Enqueue(new Chunk(target, buffer, length, due));
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Takes the lateness of the chunks written since the last call, in µs, sorted.</summary>
    public List<double> TakeLateness()
    {
        List<double> taken;
        lock (_lateness)
        {
            taken = [.. _lateness];
            _lateness.Clear();
        }

        taken.Sort();
        return taken;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Run()
    {
        PreciseSleep.PrepareThread();
        while (true)
        {
            Chunk chunk;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopping)
                {
                    return;
                }

                chunk = _queue.Dequeue();
            }

            PreciseSleep.Until(chunk.Due);
            var late = Stopwatch.GetElapsedTime(chunk.Due).TotalMicroseconds;
            lock (_lateness)
            {
                _lateness.Add(late);
            }

            try
            {
                for (var sent = 0; sent < chunk.Length;)
                {
                    sent += chunk.Target.Send(chunk.Buffer, sent, chunk.Length - sent, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The connection closed while its bytes waited: the other pump closes the pair.
            }

            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }
    }

    private readonly record struct Chunk(Socket Target, byte[] Buffer, int Length, long Due);
}
