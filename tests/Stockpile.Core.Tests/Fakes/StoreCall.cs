namespace Stockpile.Tests.Fakes;

/// <summary>One call a store received: look-ups for gets and deletes, objects for puts.</summary>
public sealed record StoreCall(string Store, StoreOperation Operation, IReadOnlyList<object> Arguments)
{
    public IEnumerable<EntityKey> Keys => Arguments.Cast<EntityKey>();

    public override string ToString() => $"{Store}.{Operation}({Arguments.Count})";
}
