namespace Stockpile.Tests.Fakes;

/// <summary>The calls several stores received, in the order they arrived: shared by the tiers of a chain to check ordering.</summary>
public sealed class CallLog
{
    private readonly List<StoreCall> _calls = [];

    public IReadOnlyList<StoreCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public void Add(StoreCall call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    public void Clear()
    {
        lock (_calls)
        {
            _calls.Clear();
        }
    }

    /// <summary>The calls of the given kinds, in order.</summary>
    public IReadOnlyList<StoreCall> Of(StoreOperation operations) => [.. Calls.Where(c => (c.Operation & operations) != 0)];

    /// <summary>The calls one store received, in order.</summary>
    public IReadOnlyList<StoreCall> To(string store) => [.. Calls.Where(c => c.Store == store)];
}
