using Stockpile.Internal.Tokens;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    private StockpileKeyBuilder? _tokens;
    private bool _tokensResolved;

    /// <summary>Gets or sets how the key builder whose tokens commits change is found (<see langword="null"/>: no tokens).</summary>
    public Func<IStockpileKeyBuilder?>? ResolveTokens { get; init; }

    /// <summary>
    /// After a commit: the tokens of every changed instance (under each of its keys), of its type and base types, and
    /// the global token get new values, in one round trip; a changed type no cache holds by key changes its type tokens
    /// and the global one. Bulk statements change their types' tokens, and the instances'
    /// when their keys are known. Never throws: the data is committed; a failed change is retried before the next key is built.
    /// </summary>
    private async ValueTask BumpTokensAsync(CommitBatch batch)
    {
        if (Tokens is not { } tokens || !batch.ChangesTokens)
        {
            return;
        }

        try
        {
            await tokens.BumpAsync(TokensOf(batch), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            batch.Faulted = true;
            Failed(ex);
        }
    }

    private StockpileKeyBuilder? Tokens
    {
        get
        {
            if (!_tokensResolved)
            {
                _tokens = ResolveTokens?.Invoke() as StockpileKeyBuilder;
                _tokensResolved = true;
            }

            return _tokens;
        }
    }

    private static HashSet<string> TokensOf(CommitBatch batch)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { TokenNames.Global };
        foreach (var change in batch.Changes)
        {
            AddInstances(names, change.OldKeys);
            AddInstances(names, change.NewKeys);
            names.UnionWith(TokenNames.TypeAndBases(change.EntityType.ClrType));
        }

        AddInstances(names, batch.Keys);
        foreach (var key in batch.Keys)
        {
            names.UnionWith(TokenNames.TypeAndBases(key.EntityType.ClrType));
        }

        foreach (var type in batch.Types.Concat(batch.UntrackedTypes))
        {
            names.UnionWith(TokenNames.TypeAndBases(type));
        }

        return names;
    }

    /// <summary>Records a changed type no cache holds by key, when there are tokens to change (otherwise such a save costs nothing, as before).</summary>
    private void NoteUntracked(CommitBatch batch, Type type)
    {
        if (Tokens is not null)
        {
            batch.UntrackedTypes.Add(StockpileEntityType.EntityClrType(type));
        }
    }

    private static void AddInstances(HashSet<string> names, IEnumerable<EntityKey> keys)
    {
        foreach (var key in keys)
        {
            names.Add(TokenNames.Instance(key));
        }
    }
}
