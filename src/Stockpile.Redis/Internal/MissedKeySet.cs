namespace Stockpile.Redis.Internal;

/// <summary>
/// The keys whose change Redis may have missed (a write or an eviction that failed, or was skipped while the circuit
/// was open), to be dealt with before Redis is trusted again. Bounded: past its capacity it forgets the keys and
/// remembers only that it overflowed, which the owner answers with a clear-all.
/// </summary>
/// <remarks>
/// Every addition gets a sequence number. <see cref="Take"/> copies what is pending without removing it, and
/// <see cref="Complete"/> removes only what was added up to the copy, so a key missed again during a clean-up stays.
/// </remarks>
internal sealed class MissedKeySet<T>
    where T : notnull
{
    private readonly Dictionary<T, long> _keys;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private long _sequence;
    private long _overflowedAt = -1;
    private volatile bool _pending;

    public MissedKeySet(int capacity, IEqualityComparer<T>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _keys = new Dictionary<T, long>(comparer);
    }

    /// <summary>Gets how many keys are remembered before only an overflow is.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets a value indicating whether anything waits for clean-up; cheap, for every call's fast path.</summary>
    public bool IsPending => _pending;

    /// <summary>Gets how many keys are pending (not counting an overflow).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>Records keys; returns <see langword="true"/> when this made the set overflow.</summary>
    public bool Add(IEnumerable<T> keys)
    {
        lock (_lock)
        {
            var overflowed = false;
            foreach (var key in keys)
            {
                _keys[key] = ++_sequence;
                if (_keys.Count > _capacity)
                {
                    _keys.Clear();
                    // A second overflow within one call must not hide the first's report.
                    overflowed |= _overflowedAt < 0;
                    _overflowedAt = _sequence;
                }
            }

            _pending = _keys.Count > 0 || _overflowedAt >= 0;
            return overflowed;
        }
    }

    /// <summary>Records that something was missed that no key list describes (a failed clear).</summary>
    public void MarkOverflow()
    {
        lock (_lock)
        {
            _keys.Clear();
            _overflowedAt = ++_sequence;
            _pending = true;
        }
    }

    /// <summary>Copies what is pending.</summary>
    public MissedKeys<T> Take()
    {
        lock (_lock)
        {
            return new MissedKeys<T>([.. _keys.Keys], _overflowedAt >= 0, _sequence);
        }
    }

    /// <summary>Forgets what <paramref name="done"/> held, unless it was missed again since.</summary>
    public void Complete(MissedKeys<T> done)
    {
        lock (_lock)
        {
            foreach (var key in done.Keys)
            {
                if (_keys.TryGetValue(key, out var sequence) && sequence <= done.Sequence)
                {
                    _keys.Remove(key);
                }
            }

            if (done.Overflowed && _overflowedAt <= done.Sequence)
            {
                _overflowedAt = -1;
            }

            _pending = _keys.Count > 0 || _overflowedAt >= 0;
        }
    }
}
