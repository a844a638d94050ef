namespace Stockpile.Internal;

/// <summary>
/// One read through a <see cref="ChainedStore"/>, from its first tier read to its back-fill, carried in the async flow:
/// a tier can leave itself a note when it misses and find it when the same read back-fills it (the Redis store's
/// lease). Tiers read and back-filled outside a chain read find none.
/// </summary>
/// <remarks>
/// Only the chain starts one, inside its own async read methods, so the read's scope ends when they return. A note is
/// the tier's own business: the chain never looks at them.
/// </remarks>
internal sealed class ChainRead
{
    private static readonly AsyncLocal<ChainRead?> s_current = new();

    private readonly Lock _lock = new();
    private List<KeyValuePair<object, object>>? _notes;

    /// <summary>Gets the chain read under way in this async flow, if any.</summary>
    public static ChainRead? Current => s_current.Value;

    /// <summary>Starts a chain read in this async flow; call it from the async method that reads and back-fills.</summary>
    public static void Begin() => s_current.Value = new ChainRead();

    /// <summary>Gets the note <paramref name="owner"/> left in this read, creating it the first time.</summary>
    public T GetOrAdd<T>(object owner, Func<T> create)
        where T : class
    {
        lock (_lock)
        {
            if (Find(owner) is T note)
            {
                return note;
            }

            var created = create();
            (_notes ??= []).Add(new(owner, created));
            return created;
        }
    }

    /// <summary>Gets the note <paramref name="owner"/> left in this read, or <see langword="null"/>.</summary>
    public T? Get<T>(object owner)
        where T : class
    {
        lock (_lock)
        {
            return Find(owner) as T;
        }
    }

    private object? Find(object owner)
    {
        foreach (var (key, value) in _notes ?? [])
        {
            if (ReferenceEquals(key, owner))
            {
                return value;
            }
        }

        return null;
    }
}
