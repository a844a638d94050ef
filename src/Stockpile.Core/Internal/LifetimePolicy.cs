namespace Stockpile.Internal;

/// <summary>A cache store's lifetime policy: the store's default and an optional per-object callback.</summary>
internal sealed class LifetimePolicy
{
    private readonly ObjectLifetime _default;
    private readonly Func<object, ObjectLifetime>? _selector;

    public LifetimePolicy(TimeSpan defaultLifetime, Func<object, ObjectLifetime>? selector)
    {
        _default = defaultLifetime == Timeout.InfiniteTimeSpan || defaultLifetime == TimeSpan.Zero
            ? ObjectLifetime.Never
            : ObjectLifetime.For(defaultLifetime);
        _selector = selector;
    }

    /// <summary>
    /// The time to live of an object stored now; <see langword="null"/> when it never expires, zero or less when already
    /// expired. The clock is read only for an absolute lifetime: the default never needs it, and reading the system
    /// clock costs a good part of a memory put.
    /// </summary>
    public TimeSpan? TimeToLive(object entity, TimeProvider time)
    {
        var lifetime = _selector?.Invoke(entity) ?? ObjectLifetime.Default;
        return lifetime.Kind == ObjectLifetimeKind.Absolute
            ? lifetime.TimeToLive(time.GetUtcNow(), _default)
            : lifetime.TimeToLive(default, _default);
    }
}
