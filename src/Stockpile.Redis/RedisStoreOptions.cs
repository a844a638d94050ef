using StackExchange.Redis;

namespace Stockpile;

/// <summary>Options of the Redis tier (<see cref="RedisStore"/>) and of the Redis backplane.</summary>
/// <remarks>
/// Name the server in one way at most: <see cref="Configuration"/> (a StackExchange.Redis configuration string, or a
/// <c>redis://</c>/<c>rediss://</c> URL), <see cref="ConfigurationOptions"/>, or <see cref="ConnectionMultiplexerFactory"/>;
/// the store owns (and disposes) the multiplexer it makes from them. With none, <c>AddRedisStore()</c> uses the
/// <see cref="IConnectionMultiplexer"/> registered in the container, which it never disposes. For a cache, a short
/// <c>asyncTimeout</c>/<c>syncTimeout</c> (a few hundred milliseconds) lets the circuit breaker react quickly when
/// Redis is slow.
/// </remarks>
public sealed class RedisStoreOptions : KeyValueObjectStoreOptions
{
    /// <summary>Initializes a new instance of the <see cref="RedisStoreOptions"/> class, named <c>"redis"</c>.</summary>
    public RedisStoreOptions()
    {
        Name = "redis";
    }

    /// <summary>
    /// Gets or sets the server as a StackExchange.Redis configuration string (<c>host:port,password=…,ssl=true</c>:
    /// every key <see cref="StackExchange.Redis.ConfigurationOptions.Parse(string)"/> accepts) or a
    /// <c>redis://[[user]:password@]host[:port][/database]</c> URL (<c>rediss://</c> for TLS).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the server as StackExchange.Redis configuration options, instead of <see cref="Configuration"/>.</summary>
    /// <value>The default value is <see langword="null"/>. The store connects with a copy, with <c>AbortOnConnectFail</c> off.</value>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gets or sets a factory of the multiplexer, instead of <see cref="Configuration"/> or <see cref="ConfigurationOptions"/>.</summary>
    /// <value>The default value is <see langword="null"/>. The store owns, and disposes, what the factory returns.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>Gets a value indicating whether the options name a server (otherwise the container's multiplexer is used).</summary>
    internal bool NamesServer => Configuration is not null || ConfigurationOptions is not null || ConnectionMultiplexerFactory is not null;

    /// <summary>Gets the circuit breaker's settings.</summary>
    public RedisCircuitBreakerOptions CircuitBreaker { get; } = new();

    /// <summary>
    /// Gets or sets a value indicating whether a put or delete that cannot reach Redis (no connection, a timeout, or
    /// an open circuit) throws.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>: the write is skipped, counted and logged, and its keys are
    /// removed from Redis before Redis is read again, which leaves Redis exactly as if it had evicted them. A chain's
    /// puts and deletes then succeed while Redis is down. With <see langword="true"/>, the exception reaches the
    /// caller (the keys are still cleaned up later). The caches on Redis (<c>AddRedisCache</c>) follow it for their
    /// sets, adds, removes, pulls, removals by tag and flushes.
    /// </value>
    public bool ThrowOnUnavailableWrites { get; set; }

    /// <summary>Gets or sets how many missed keys are remembered for clean-up while Redis cannot be written.</summary>
    /// <value>The default value is 10,000. Past it, every key under <see cref="KeyValueObjectStoreOptions.KeyPrefix"/> is removed on recovery instead.</value>
    public int MissedKeyCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets the largest serialized value a put sends to Redis, in bytes.</summary>
    /// <value>
    /// The default value is 16 MiB (16,777,216), far below Redis's own limit (<c>proto-max-bulk-len</c>, 512 MB by
    /// default): a value near that limit takes the shared connection for hundreds of milliseconds, and one over it
    /// makes Redis close the connection under every request in flight. A put over the limit throws
    /// <see cref="RedisValueTooLargeException"/> before anything is sent, and is logged.
    /// </value>
    public long MaximumValueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Gets or sets how the type is named in every key the store writes.</summary>
    /// <value>
    /// The default value is <see cref="RedisKeyLayout.Compact"/>: the type's short token (a pinned
    /// <see cref="StockpileTypeAttribute"/> name, or 11 characters of a hash of its full name). An instance reads only
    /// the keys of its own layout: one that switches starts cold (a miss is read from the database). Choose
    /// <see cref="RedisKeyLayout.FullTypeNames"/> to keep reading what builds from before the token (no release), which wrote full names, cached.
    /// </value>
    public RedisKeyLayout KeyLayout { get; set; } = RedisKeyLayout.Compact;

    /// <summary>
    /// Gets or sets a value indicating whether every put a caller asks for, delete and eviction also removes the
    /// object's keys in the other <see cref="RedisKeyLayout"/>, so an instance reading that layout (an earlier version,
    /// during a rolling deployment) never keeps serving what this one changed.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>: a fleet whose instances all use one layout has nothing in the other.
    /// Turn it on for the time a fleet moves from one <see cref="RedisKeyLayout"/> to the other (docs/redis.md, "The
    /// type in a key"); it costs a put one more script call, pipelined with it, and a delete one more key per look-up.
    /// Keys of a type whose pinned name is its token are the same in both layouts, and are never sent twice.
    /// </value>
    public bool EvictOtherKeyLayout { get; set; }

    /// <summary>Gets or sets the pub/sub channel of the backplane.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="KeyValueObjectStoreOptions.KeyPrefix"/> followed by <c>__invalidate</c>, so applications with different prefixes do not hear each other.</value>
    public string? BackplaneChannel { get; set; }

    /// <summary>Gets the channel the backplane uses.</summary>
    internal string EffectiveBackplaneChannel => BackplaneChannel ?? KeyPrefix + "__invalidate";

}
