namespace Stockpile;

/// <summary>How long a store keeps an object: for a duration, until a point in time, forever, or the store's default.</summary>
public readonly partial record struct ObjectLifetime
{
    private ObjectLifetime(ObjectLifetimeKind kind, TimeSpan duration, DateTimeOffset until)
    {
        Kind = kind;
        Duration = duration;
        Until = until;
    }

    /// <summary>Gets the lifetime that defers to the store's default.</summary>
    public static ObjectLifetime Default => default;

    /// <summary>Gets the lifetime of an object that never expires (it may still be evicted to respect a size limit).</summary>
    public static ObjectLifetime Never { get; } = new(ObjectLifetimeKind.Never, TimeSpan.Zero, default);

    /// <summary>Gets what kind of lifetime this is.</summary>
    public ObjectLifetimeKind Kind { get; }

    /// <summary>Gets the duration of a <see cref="ObjectLifetimeKind.Relative"/> lifetime.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets the expiry time of an <see cref="ObjectLifetimeKind.Absolute"/> lifetime.</summary>
    public DateTimeOffset Until { get; }

    /// <summary>Makes a lifetime that ends a duration after the object is stored.</summary>
    /// <param name="duration">A positive duration.</param>
    /// <returns>The lifetime.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is not positive.</exception>
    public static ObjectLifetime For(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return new(ObjectLifetimeKind.Relative, duration, default);
    }

    /// <summary>Makes a lifetime that ends at a point in time.</summary>
    /// <param name="until">The expiry time.</param>
    /// <returns>The lifetime.</returns>
    public static ObjectLifetime At(DateTimeOffset until) => new(ObjectLifetimeKind.Absolute, TimeSpan.Zero, until);

    /// <summary>Gets the time left from <paramref name="now"/>, or <see langword="null"/> for a lifetime that never ends.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="storeDefault">The store's default, used when this is <see cref="Default"/>.</param>
    /// <returns>The time to live (zero or negative when already expired), or <see langword="null"/>.</returns>
    public TimeSpan? TimeToLive(DateTimeOffset now, ObjectLifetime storeDefault) => Kind switch
    {
        ObjectLifetimeKind.Never => null,
        ObjectLifetimeKind.Relative => Duration,
        ObjectLifetimeKind.Absolute => Until - now,
        _ => storeDefault.Kind == ObjectLifetimeKind.Default ? null : storeDefault.TimeToLive(now, Never),
    };

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        ObjectLifetimeKind.Never => "never expires",
        ObjectLifetimeKind.Relative => $"for {Duration}",
        ObjectLifetimeKind.Absolute => $"until {Until:O}",
        _ => "store default",
    };
}
