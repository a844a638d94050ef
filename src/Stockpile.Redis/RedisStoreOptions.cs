namespace Stockpile;

/// <summary>Options of the Redis tier (<see cref="RedisStore"/>) and of the Redis backplane.</summary>
/// <remarks>
/// Give the server either as <see cref="Configuration"/> (a StackExchange.Redis-style string or a <c>redis://</c>
/// URL) or as <see cref="ConnectionOptions"/>. For a cache, a short <c>syncTimeout</c> (a few hundred milliseconds)
/// lets the circuit breaker react quickly when Redis is slow.
/// </remarks>
public sealed class RedisStoreOptions : KeyValueObjectStoreOptions
{
    /// <summary>Initializes a new instance of the <see cref="RedisStoreOptions"/> class, named <c>"redis"</c>.</summary>
    public RedisStoreOptions()
    {
        Name = "redis";
    }

    /// <summary>Gets or sets the server as a configuration string (<c>host:port,password=…,ssl=true</c>) or a <c>redis://</c> URL.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ConnectionOptions"/> must be set.</value>
    /// <seealso cref="RedisConnectionOptions.Parse(string)"/>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the server as connection options, instead of <see cref="Configuration"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public RedisConnectionOptions? ConnectionOptions { get; set; }

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
    /// caller (the keys are still cleaned up later).
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

    /// <summary>Gets or sets the pub/sub channel of the backplane.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="KeyValueObjectStoreOptions.KeyPrefix"/> followed by <c>__invalidate</c>, so applications with different prefixes do not hear each other.</value>
    public string? BackplaneChannel { get; set; }

    /// <summary>Gets the channel the backplane uses.</summary>
    internal string EffectiveBackplaneChannel => BackplaneChannel ?? KeyPrefix + "__invalidate";

    /// <summary>Gets the connection options this configuration names.</summary>
    /// <exception cref="ArgumentException">Neither or both of <see cref="Configuration"/> and <see cref="ConnectionOptions"/> are set, or the string is malformed.</exception>
    internal RedisConnectionOptions ResolveConnection() =>
        (ConnectionOptions, Configuration) switch
        {
            ({ } options, null) => options,
            (null, { } text) => RedisConnectionOptions.Parse(text),
            (null, null) => throw new ArgumentException("Set RedisStoreOptions.Configuration (a configuration string or redis:// URL) or RedisStoreOptions.ConnectionOptions."),
            _ => throw new ArgumentException("Set either RedisStoreOptions.Configuration or RedisStoreOptions.ConnectionOptions, not both."),
        };
}
