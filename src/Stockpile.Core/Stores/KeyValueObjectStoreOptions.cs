namespace Stockpile;

/// <summary>Options shared by stores that keep serialized objects under string keys (see <see cref="KeyValueObjectStore"/>).</summary>
public class KeyValueObjectStoreOptions
{
    /// <summary>Gets or sets the store's name in logs and metrics.</summary>
    /// <value>The default value is <c>"keyvalue"</c>.</value>
    public string Name { get; set; } = "keyvalue";

    /// <summary>Gets or sets the prefix of every key the store writes: keeps applications and tenants sharing a server apart.</summary>
    /// <value>The default value is <c>"stockpile:"</c>.</value>
    public string KeyPrefix { get; set; } = "stockpile:";

    /// <summary>Gets or sets how long objects are kept when <see cref="LifetimeSelector"/> does not decide.</summary>
    /// <value>The default value is 30 minutes. <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.Zero"/> means never.</value>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets a callback that picks each object's lifetime.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<object, ObjectLifetime>? LifetimeSelector { get; set; }

    /// <summary>Gets or sets a value indicating whether objects are found as base types that declare the key looked up by.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Polymorphic { get; set; }

    /// <summary>Gets or sets the serializer.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="SystemTextJsonStockpileSerializer.Default"/>.</value>
    public IStockpileSerializer? Serializer { get; set; }

    /// <summary>Gets or sets the clock lifetimes are computed from.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
