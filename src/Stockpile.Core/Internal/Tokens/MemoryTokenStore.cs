using System.Collections.Concurrent;

namespace Stockpile.Internal.Tokens;

/// <summary>Tokens in the process memory, for applications without Redis: shared by everything in this process.</summary>
internal sealed class MemoryTokenStore(TimeProvider time, TimeSpan lifetime) : TokenStore
{
    private readonly ConcurrentDictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    private int _sweepAt = 1024;

    /// <summary>Gets how many tokens are held (for tests).</summary>
    internal int Count => _tokens.Count;

    public override ValueTask<string[]?> GetAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        var values = new string[names.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Live(names[i], now);
        }

        return new ValueTask<string[]?>(values);
    }

    public override ValueTask BumpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        foreach (var name in names)
        {
            _tokens[name] = new Token(NewValue(), ExpiryFrom(now));
        }

        Sweep(now);
        return default;
    }

    private string Live(string name, DateTimeOffset now)
    {
        while (true)
        {
            if (_tokens.TryGetValue(name, out var token))
            {
                if (token.ExpiresAt > now)
                {
                    // A read gives the token its full lifetime again: only a token left untouched that long expires.
                    token.Extend(ExpiryFrom(now));
                    return token.Value;
                }

                // Expired: replaced by a new random value, exactly as a lost Redis token is (one replacement wins).
                var replacement = new Token(NewValue(), ExpiryFrom(now));
                if (_tokens.TryUpdate(name, replacement, token))
                {
                    return replacement.Value;
                }

                continue;
            }

            var made = _tokens.GetOrAdd(name, static (_, e) => new Token(NewValue(), e), ExpiryFrom(now));
            Sweep(now);
            return made.Value;
        }
    }

    private DateTimeOffset ExpiryFrom(DateTimeOffset now) =>
        lifetime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + lifetime;

    /// <summary>Drops expired tokens each time the count doubles, so tokens of rows long gone do not pile up.</summary>
    private void Sweep(DateTimeOffset now)
    {
        var count = _tokens.Count;
        if (count < Volatile.Read(ref _sweepAt))
        {
            return;
        }

        foreach (var (name, token) in _tokens)
        {
            if (token.ExpiresAt <= now)
            {
                _tokens.TryRemove(new KeyValuePair<string, Token>(name, token));
            }
        }

        Volatile.Write(ref _sweepAt, Math.Max(1024, _tokens.Count * 2));
    }

    /// <summary>A token's value and when it expires (extended by each read, without allocating).</summary>
    private sealed class Token(string value, DateTimeOffset expiresAt)
    {
        private long _expiresAtTicks = expiresAt.UtcTicks;

        public string Value { get; } = value;

        public DateTimeOffset ExpiresAt => new(Volatile.Read(ref _expiresAtTicks), TimeSpan.Zero);

        public void Extend(DateTimeOffset expiresAt) => Volatile.Write(ref _expiresAtTicks, expiresAt.UtcTicks);
    }
}
