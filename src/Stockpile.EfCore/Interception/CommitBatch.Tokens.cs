namespace Stockpile.Internal;

internal sealed partial class CommitBatch
{
    /// <summary>Gets the changed entity types no cache holds by key (recorded only when invalidation tokens are registered): their type tokens and the global token still change at commit.</summary>
    public HashSet<Type> UntrackedTypes { get; } = [];

    /// <summary>
    /// Gets the keys of the rows a store's own save (a chain write) changes: the chain updates the caches itself, but
    /// the tokens of those rows and their types change at the commit, as any commit's.
    /// </summary>
    public HashSet<EntityKey> TokenKeys { get; } = [];

    /// <summary>Gets a value indicating whether the commit changes any token.</summary>
    public bool ChangesTokens => !IsEmpty || UntrackedTypes.Count > 0 || TokenKeys.Count > 0;
}
