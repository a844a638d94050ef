namespace Stockpile;

/// <summary>Options of a <see cref="MemoryStore"/>.</summary>
public sealed class MemoryStoreOptions
{
    /// <summary>Gets or sets the store's name in logs and metrics.</summary>
    /// <value>The default value is <c>"memory"</c>.</value>
    public string Name { get; set; } = "memory";

    /// <summary>Gets or sets how long objects are kept when <see cref="LifetimeSelector"/> does not decide.</summary>
    /// <value>The default value is 30 minutes. <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.Zero"/> means objects never expire.</value>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets a callback that picks each object's lifetime: a duration, a point in time, <see cref="ObjectLifetime.Never"/>, or <see cref="ObjectLifetime.Default"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<object, ObjectLifetime>? LifetimeSelector { get; set; }

    /// <summary>Gets or sets the most objects the store holds; past it, the least recently used are evicted.</summary>
    /// <value>The default value is 100,000. <see langword="null"/> means no limit.</value>
    public int? SizeLimit { get; set; } = 100_000;

    /// <summary>Gets or sets a value indicating whether objects are found as base types that declare the key looked up by.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Polymorphic { get; set; }

    /// <summary>Gets or sets a value indicating whether the store keeps and hands out copies instead of the instances put in it.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: like <c>IMemoryCache</c>, callers share the stored instance, which
    /// is fastest and allocates nothing, so treat objects from the store as read-only. With <see langword="true"/>, each
    /// put and each get copies the object through <see cref="Serializer"/>, so callers may change what they get.
    /// </value>
    public bool CopyObjects { get; set; }

    /// <summary>Gets or sets the serializer used to copy objects when <see cref="CopyObjects"/> is set.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="SystemTextJsonStockpileSerializer.Default"/>.</value>
    public IStockpileSerializer? Serializer { get; set; }

    /// <summary>Gets or sets the clock that expiry is measured by.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    /// <remarks>With the system clock, expiry is checked against <see cref="Environment.TickCount64"/>, which is far cheaper
    /// to read on every hit and precise to the operating system's tick (about 1 to 16 ms). Another provider is used as it is.</remarks>
    public TimeProvider? TimeProvider { get; set; }
}
