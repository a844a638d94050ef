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

    /// <summary>The time to live of an object stored now; <see langword="null"/> when it never expires, zero or less when already expired.</summary>
    public TimeSpan? TimeToLive(object entity, DateTimeOffset now)
    {
        var lifetime = _selector?.Invoke(entity) ?? ObjectLifetime.Default;
        return lifetime.TimeToLive(now, _default);
    }
}
