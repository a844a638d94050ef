namespace Stockpile;

/// <summary>Options of a <see cref="StockpileCache"/>.</summary>
public sealed class StockpileCacheOptions
{
    /// <summary>Gets or sets the cache's namespace: keys of caches with other prefixes never meet, and a flush removes only this one's.</summary>
    /// <value>The default value is <c>"cache"</c>.</value>
    public string KeyPrefix { get; set; } = "cache";

    /// <summary>Gets or sets how long values are kept when no expiration is given.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan DefaultExpiration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets the longest key accepted; a longer key is refused with an <see cref="ArgumentException"/>.</summary>
    /// <value>The default value is 1,024 characters.</value>
    public int MaximumKeyLength { get; set; } = 1024;

    /// <summary>Gets or sets the serializer that copies values of types that are not immutable.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="SystemTextJsonStockpileSerializer.Default"/>.</value>
    public IStockpileSerializer? Serializer { get; set; }

    /// <summary>Gets or sets the clock that expiry is measured by.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether concurrent misses of one key in different processes run the factory
    /// about once: the first takes a short lock on the shared tier (Redis <c>SET NX PX</c>, in the key's own cluster
    /// slot), and the others wait for its value instead of running the factory.
    /// </summary>
    /// <remarks>
    /// A waiter reads the value again at growing intervals (5 ms up to 100 ms). It runs the factory itself when the lock
    /// is free again without a value (the holder failed, or died and its lock expired after
    /// <see cref="StampedeLockExpiration"/>), or after waiting <see cref="StampedeLockTimeout"/>. A cache with no
    /// shared tier has no other process to wait for and ignores the setting. Waiting is measured in real time (the
    /// lock's expiry is the server's), not by <see cref="TimeProvider"/>. The lock covers single-key get-or-create
    /// (and the HybridCache's); <see cref="IStockpileCache.GetOrCreateManyAsync{T}"/> shares keys within a process only.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>: processes share nothing before a value is stored.</value>
    public bool DistributedStampedeLock { get; set; }

    /// <summary>Gets or sets how long a stampede lock lives when its holder never releases it (a process that died while making the value).</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan StampedeLockExpiration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a caller waits for another process's value before it runs the factory itself.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan StampedeLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether a value made on a miss reaches the shared level (Redis) and the backplane after its caller
    /// has it, as HybridCache and FusionCache do: the caller waits for the read alone, not for the write and the
    /// publish. The process's memory level has the value at once, and a later write of the key in this process waits for
    /// it. The write is fenced: it lands only if no instance set, removed, pulled or flushed the key since the read
    /// before the value was made (that later write stands, and memory drops the made value). What is given up: until the
    /// write lands, another instance misses too and may make the value again (docs/consistency.md).
    /// </summary>
    /// <value>The default value is <see langword="true"/>; <see langword="false"/>: a get-or-create returns once the made value is in every level and announced.</value>
    public bool WriteMadeValuesInBackground { get; set; } = true;
}
