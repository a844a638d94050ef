using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <summary>
/// A shared cache tier in Redis: objects serialized under their canonical keys (with a per-application prefix), a
/// pointer under each alternate key, lifetimes set with the value, puts and deletes made atomic by Lua scripts, and a
/// circuit breaker that keeps an unreachable or slow Redis from slowing the application down.
/// </summary>
/// <remarks>
/// <para>Register it with <c>AddStockpile().AddRedisStore(…)</c>, or create one with <see cref="ConnectAsync"/>.</para>
/// <para><b>Round trips.</b> A get by primary key is one <c>GET</c>; a batch get is one <c>MGET</c>, plus one more for
/// the objects that alternate-key look-ups point to. A put, a delete, a batch put and a batch delete are one script
/// call each.</para>
/// <para><b>Consistency.</b> Each object's alternate keys are listed in a side record (a set under the primary key
/// followed by <c>|#alts</c>) with the same lifetime as the value, so the scripts can remove an object's old pointers
/// without reading its value. A pointer is only removed while it still points at the object being changed: an
/// alternate key that now belongs to another object is never touched. The newest put wins an alternate key: the object
/// that held it before is evicted. Bytes that cannot be read back are a miss, removed and logged.</para>
/// <para><b>Failures.</b> Reads that cannot reach Redis throw (a chain treats that as a miss). A server that answers
/// that it cannot serve any key now (<c>CLUSTERDOWN</c>, <c>LOADING</c>, <c>MASTERDOWN</c>) counts as unreachable. When at least
/// <see cref="RedisCircuitBreakerOptions.FailureThreshold"/> calls within
/// <see cref="RedisCircuitBreakerOptions.SamplingDuration"/> all failed for want of Redis, the circuit (Polly's) opens
/// and calls fail at once for <see cref="RedisCircuitBreakerOptions.BreakDuration"/>; then one call probes. A put or delete that
/// cannot reach Redis is skipped (see <see cref="RedisStoreOptions.ThrowOnUnavailableWrites"/>) and its keys are
/// recorded: before Redis is used again they are removed from it, so a value that changed while Redis was away is
/// never served afterwards.</para>
/// <para>The store speaks to Redis through StackExchange.Redis (an <see cref="IConnectionMultiplexer"/> it is given or
/// makes). One Redis server (or a primary with replicas): the put and delete scripts touch keys they discover, which
/// a cluster would refuse across slots.</para>
/// </remarks>
public sealed partial class RedisStore : KeyValueObjectStore, IAsyncDisposable, IDisposable
{
    private readonly RedisLink _link;
    private readonly bool _ownsLink;
    private readonly bool _throwOnUnavailableWrites;
    private readonly RedisCatchUp _catchUp;
    private readonly RedisMetrics _metrics;
    private readonly long _maximumValueBytes;

    // clockTime: the local clock of the store's RedisWriteClock; the system's unless a test fakes it.
    internal RedisStore(RedisStoreOptions options, RedisLink link, bool ownsLink, ILogger? logger, RedisMetrics? metrics, TimeProvider? clockTime = null)
        : base(options, logger)
    {
        _writeClock = new RedisWriteClock(clockTime);
        _link = link;
        _ownsLink = ownsLink;
        _throwOnUnavailableWrites = options.ThrowOnUnavailableWrites;
        _catchUp = new RedisCatchUp(options.MissedKeyCapacity, link.Breaker, TimeProvider, Name, Logger, RemoveMissedAsync, CatchUpProbeAsync);
        _metrics = metrics ?? RedisMetrics.Shared;
        _maximumValueBytes = options.MaximumValueBytes;
        _compactKeys = options.KeyLayout == RedisKeyLayout.Compact;
        _evictOtherLayout = options.EvictOtherKeyLayout;
        _link.Reconnected += OnReconnected;
        _link.BeforeCall = BeforeCallAsync;
        _link.BeforeCallPending = HasWorkBeforeCall;
    }

    /// <summary>Gets the state of the circuit breaker that guards the calls to Redis.</summary>
    public RedisCircuitState CircuitState => _link.Breaker.State;

    /// <summary>Gets how many keys wait to be removed from Redis because a write or eviction did not reach it.</summary>
    internal int MissedKeyCount => _catchUp.Keys.Count;

    internal string KeyPrefixForTests => KeyPrefix;

    /// <summary>Gets the clock that stamps puts and gives reads their lease.</summary>
    internal RedisWriteClock WriteClock => _writeClock;

    /// <summary>Connects to Redis and creates a store that owns its multiplexer (dispose the store to close it).</summary>
    /// <param name="options">The options; <see cref="RedisStoreOptions.Configuration"/>, <see cref="RedisStoreOptions.ConfigurationOptions"/> or <see cref="RedisStoreOptions.ConnectionMultiplexerFactory"/> names the server.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Cancels the wait for the first connection attempt (which goes on in the background).</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async ValueTask<RedisStore> ConnectAsync(RedisStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisStoreOptionsValidator.ThrowIfInvalid(options, multiplexerInContainer: false);

        loggerFactory ??= NullLoggerFactory.Instance;
        var link = RedisLink.Connect(RedisConnectionFactory.FromOptions(options), options.CircuitBreaker, options.TimeProvider ?? TimeProvider.System, loggerFactory, RedisMetrics.Shared);
        try
        {
            await link.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged by the link; every call reports it, as for an outage.
        }

        return new RedisStore(options, link, ownsLink: true, loggerFactory.CreateLogger<RedisStore>(), RedisMetrics.Shared);
    }

    /// <summary>Creates a store over a multiplexer the caller owns (the store never disposes it).</summary>
    /// <param name="multiplexer">The multiplexer.</param>
    /// <param name="options">The options; any server they name is ignored.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for nowhere.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static RedisStore Create(IConnectionMultiplexer multiplexer, RedisStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        RedisStoreOptionsValidator.ThrowIfInvalid(options, multiplexerInContainer: true);

        loggerFactory ??= NullLoggerFactory.Instance;
        var link = RedisLink.Connect(RedisConnectionFactory.Given(multiplexer), options.CircuitBreaker, options.TimeProvider ?? TimeProvider.System, loggerFactory, RedisMetrics.Shared);
        return new RedisStore(options, link, ownsLink: true, loggerFactory.CreateLogger<RedisStore>(), RedisMetrics.Shared);
    }

    /// <summary>Stops the background clean-up, and closes the connection if the store owns it (one made by <see cref="ConnectAsync"/>).</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    /// <remarks>Every call afterwards throws <see cref="ObjectDisposedException"/>.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (!TryMarkDisposed())
        {
            return;
        }

        _link.Reconnected -= OnReconnected;
        _catchUp.Dispose();
        if (_ownsLink)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the background clean-up and starts closing an owned connection without waiting; prefer <see cref="DisposeAsync"/>.</summary>
    /// <remarks>For containers disposed synchronously (<c>using var host = …</c>). Every call afterwards throws <see cref="ObjectDisposedException"/>.</remarks>
    public void Dispose()
    {
        if (!TryMarkDisposed())
        {
            return;
        }

        _link.Reconnected -= OnReconnected;
        _catchUp.Dispose();
        if (_ownsLink)
        {
            _ = _link.DisposeAsync().AsTask();
        }
    }

    /// <inheritdoc/>
    /// <remarks>One <c>GET</c>. A chain reads through <see cref="ReadManyLeasedAsync"/> instead, for the lease.</remarks>
    protected override ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(key, static async (database, key, ct) => (byte[]?)await database.StringGetAsync(key).WaitAsync(ct).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One <c>MGET</c> for the batch; on a cluster, one per hash slot, sent together.</remarks>
    protected override ValueTask<byte[]?[]> ReadManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return RunAsync((Store: this, Keys: keys), static (database, s, ct) => ReadPlainAsync(database, s.Keys, s.Store.IsCluster(database), ct), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Not used by this store's puts, which run a script; a plain <c>SET</c> with <c>PX</c>.</remarks>
    protected override async ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken) =>
        await WriteGuardedAsync([write.Key], write, static async (database, write, ct) =>
        {
            var expiry = write.TimeToLive is { } ttl ? TimeSpan.FromMilliseconds(Milliseconds(ttl)) : (TimeSpan?)null;
            await database.StringSetAsync(write.Key, write.Value, expiry, When.Always).WaitAsync(ct).ConfigureAwait(false);
            return true;
        }, false, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>The base class removes bytes it cannot read back: the object is removed with its pointers, by script.</remarks>
    protected override async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        await DeleteStorageKeysAsync([key], 1, cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc/>
    /// <remarks>The layout is <see cref="RedisKeyPatterns.ObjectKey"/>'s, with the type named as <see cref="RedisStoreOptions.KeyLayout"/> says.</remarks>
    /// <exception cref="StockpileKeyException">The key holds a lone UTF-16 surrogate, which has no UTF-8 bytes of its own.</exception>
    protected override string StorageKey(EntityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var encoded = Encode(key, _compactKeys);
        if (!Stockpile.Internal.Utf16Text.IsWellFormed(encoded))
        {
            throw new StockpileKeyException(key.EntityType.ClrType, key.Key.Name, Redis.ExceptionMessages.KeyNotEncodable(Name));
        }

        return RedisKeyPatterns.ObjectKey(KeyPrefix, encoded);
    }

    /// <summary>A time to live in whole milliseconds, rounded up so that a positive one never becomes zero.</summary>
    private static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds));
}
