namespace Stockpile.Tests.Fakes;

/// <summary>
/// A chain of memory tiers for tests: each tier is a <see cref="MemoryStore"/> behind a <see cref="RecordingStore"/> that
/// writes to one shared <see cref="CallLog"/>, optionally wrapped (chaos, gate, source of truth) so the chain talks to the
/// wrapper first. The log holds the calls that got past the wrappers. Tier names are unique per chain ("ab12cd34-l1", …),
/// so metrics of one test never mix with another's.
/// </summary>
public sealed class TestChain
{
    public TestChain(int tiers, Func<int, ObjectStore, ObjectStore>? wrap = null, ChainedStoreOptions? options = null)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        Memory = [.. Enumerable.Range(0, tiers).Select(i => new MemoryStore(new MemoryStoreOptions { Name = $"{prefix}-l{i + 1}" }))];
        Recorders = [.. Memory.Select(m => new RecordingStore(m, Log))];
        Tiers = [.. Recorders.Select((r, i) => wrap?.Invoke(i, r) ?? r)];
        Chain = new ChainedStore(Tiers, options, Logger) { Backplane = Backplane };
    }

    public ChainedStore Chain { get; }

    public CallLog Log { get; } = new();

    public ListLogger<ChainedStore> Logger { get; } = new();

    public RecordingBackplane Backplane { get; } = new();

    /// <summary>The memory store at the heart of each tier, to read and write a tier directly.</summary>
    public IReadOnlyList<MemoryStore> Memory { get; }

    public IReadOnlyList<RecordingStore> Recorders { get; }

    /// <summary>The chain's tiers: the wrappers, or the recorders where nothing was wrapped.</summary>
    public IReadOnlyList<ObjectStore> Tiers { get; }

    public string Name(int tier) => Memory[tier].Name;

    /// <summary>The tiers, by index, that received the given calls, in the order they received them.</summary>
    public IReadOnlyList<int> TiersCalled(StoreOperation operations) =>
        [.. Log.Of(operations).Select(c => Memory.Select(m => m.Name).ToList().IndexOf(c.Store))];

    /// <summary>The calls one tier received.</summary>
    public IReadOnlyList<StoreCall> CallsTo(int tier) => Log.To(Name(tier));
}
