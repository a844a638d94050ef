using Microsoft.EntityFrameworkCore;
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
        AddInstances(names, batch.TokenKeys);
        foreach (var key in batch.Keys.Concat(batch.TokenKeys))
        {
            names.UnionWith(TokenNames.TypeAndBases(key.EntityType.ClrType));
        }

        foreach (var type in batch.Types.Concat(batch.UntrackedTypes))
        {
            names.UnionWith(TokenNames.TypeAndBases(type));
        }

        return names;
    }

    /// <summary>
    /// Notes the rows a store's own save (a chain write) changes, for their tokens only: the chain updates the caches
    /// and tells other instances itself, but a value kept under a key built from those rows' tokens (or their type's)
    /// must change at this commit too (issue 12: only the global token did, so such values kept the old state).
    /// </summary>
    private void NoteStoreSaveTokens(DbContext context, CommitBatch batch)
    {
        if (Tokens is null)
        {
            return;
        }

        try
        {
            if (Capture(context, ModelKeyResolver.For(context, Options.UseModelKeys)) is not { } captured)
            {
                return;
            }

            foreach (var change in captured.Changes)
            {
                batch.TokenKeys.UnionWith(change.OldKeys);
                batch.TokenKeys.UnionWith(change.NewKeys);
            }

            batch.UntrackedTypes.UnionWith(captured.UntrackedTypes);
            batch.UntrackedTypes.UnionWith(captured.Types);
        }
        catch (Exception ex)
        {
            // Never fails the save: the global token still changes, and so do the types named so far.
            Log.CaptureFailed(_logger, "(a store's own save)", ex);
        }
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
