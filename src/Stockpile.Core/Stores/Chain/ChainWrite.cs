namespace Stockpile.Internal;

/// <summary>
/// One write of a chain (a put or a delete through every tier), handed to each tier with the write: a source of truth
/// can ask for work that must wait until every tier took the write and it was published (the EF Core store deletes the
/// outbox row it wrote with the data). That work never runs when a tier failed, nor while a cache tier is unsettled.
/// </summary>
internal sealed class ChainWrite
{
    private List<Func<ValueTask>>? _settled;

    /// <summary>Gets a value indicating whether a tier asked for work once the write settled.</summary>
    public bool HasWork => _settled is not null;

    /// <summary>Runs <paramref name="action"/> once every tier took the write; it must not throw (its failure is its own to log).</summary>
    public void OnSettled(Func<ValueTask> action) => (_settled ??= []).Add(action);

    /// <summary>Runs the work asked for, in order.</summary>
    public async ValueTask RunAsync()
    {
        foreach (var action in _settled ?? [])
        {
            await action().ConfigureAwait(false);
        }
    }
}
