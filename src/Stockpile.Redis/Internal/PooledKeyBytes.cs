using System.Buffers;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The UTF-8 bytes of a batch's Redis keys, one after another in one pooled buffer, so that a batch makes no array per
/// key (a hundred keys of a small entity were 11 KB of a batch's 28 KB). Give it back with <see cref="Dispose"/> once
/// the command is written: StackExchange.Redis renders the arguments of <see cref="IDatabaseAsync.ExecuteRespAsync"/>
/// before the call returns.
/// </summary>
internal sealed class PooledKeyBytes : IDisposable
{
    private byte[]? _bytes;
    private int[]? _ends;

    /// <summary>Rents room for <paramref name="count"/> keys of about <paramref name="bytesPerKey"/> bytes (it grows for longer ones).</summary>
    public PooledKeyBytes(int count, int bytesPerKey)
    {
        _bytes = ArrayPool<byte>.Shared.Rent((count * bytesPerKey) + 256);
        _ends = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
    }

    /// <summary>Gets how many keys were added.</summary>
    public int Count { get; private set; }

    private int End => Count == 0 ? 0 : _ends![Count - 1];

    /// <summary>Room for the next key, <paramref name="size"/> bytes; <see cref="Add"/> then says how many it took.</summary>
    public Span<byte> Room(int size)
    {
        var bytes = _bytes ?? throw new ObjectDisposedException(nameof(PooledKeyBytes));
        var end = End;
        if (bytes.Length - end < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length * 2, end + size));
            bytes.AsSpan(0, end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(bytes);
            _bytes = bytes = larger;
        }

        return bytes.AsSpan(end, size);
    }

    /// <summary>Adds the key written at the start of the last <see cref="Room"/>.</summary>
    public void Add(int length)
    {
        _ends![Count] = End + length;
        Count++;
    }

    /// <summary>Gets the bytes of a key, valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            var start = index == 0 ? 0 : _ends![index - 1];
            return _bytes.AsMemory(start, _ends![index] - start);
        }
    }

    /// <summary>Gets a key as a <see cref="RedisKey"/> of its own (a copy, for the cluster's per-slot reads).</summary>
    public RedisKey KeyAt(int index) => this[index].ToArray();

    /// <summary>Gives the buffers back to the pool; later calls are harmless.</summary>
    public void Dispose()
    {
        if (_bytes is { } bytes)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(_ends!);
            _bytes = null;
            _ends = null;
        }
    }
}
