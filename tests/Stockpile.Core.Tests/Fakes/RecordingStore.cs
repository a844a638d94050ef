namespace Stockpile.Tests.Fakes;

/// <summary>Wraps a store and records every call it receives, in a log it may share with other tiers.</summary>
public sealed class RecordingStore : DelegatingStore
{
    public RecordingStore(ObjectStore inner, CallLog? log = null, string? name = null)
        : base(inner, name)
    {
        Log = log ?? new CallLog();
    }

    public CallLog Log { get; }

    /// <summary>The calls this store received.</summary>
    public IReadOnlyList<StoreCall> Calls => Log.To(Name);

    protected override ValueTask BeforeAsync(StoreOperation operation, IReadOnlyList<object> arguments, CancellationToken cancellationToken)
    {
        Log.Add(new StoreCall(Name, operation, arguments));
        return default;
    }
}
