namespace Stockpile.Tests.Fakes;

/// <summary>A backplane that records what a chain published instead of sending it.</summary>
public sealed class RecordingBackplane : IStockpileBackplane
{
    private readonly List<IReadOnlyList<EntityKey>> _evictions = [];
    private readonly List<Type?> _clears = [];
    private readonly List<string> _removedTags = [];

    public IReadOnlyList<string> RemovedTags
    {
        get
        {
            lock (_evictions)
            {
                return [.. _removedTags];
            }
        }
    }

    public IReadOnlyList<IReadOnlyList<EntityKey>> Evictions
    {
        get
        {
            lock (_evictions)
            {
                return [.. _evictions];
            }
        }
    }

    public IReadOnlyList<Type?> Clears
    {
        get
        {
            lock (_evictions)
            {
                return [.. _clears];
            }
        }
    }

    public ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        lock (_evictions)
        {
            _evictions.Add([.. keys]);
        }

        return default;
    }

    public ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken = default)
    {
        lock (_evictions)
        {
            _clears.Add(entityType);
        }

        return default;
    }

    public ValueTask PublishRemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        lock (_evictions)
        {
            _removedTags.Add(tag);
        }

        return default;
    }
}
