using Stockpile.Internal;
using Stockpile.Internal.Tags;

namespace Stockpile;

/// <content>
/// Entity tags. Removing a tag asks every cache tier to remove the entities carrying it (the source of truth is never
/// asked), then tells other instances through the backplane, which remove them from their process-local tiers. It runs
/// as a write of every type that has tags: a back-fill that raced it is undone, as it would be after a delete.
/// </content>
public sealed partial class ChainedStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// Every cache tier is tried; failures reach the caller afterwards. Other instances are told even when a tier
    /// failed: their local copies must go all the same.
    /// </remarks>
    protected override async ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken)
    {
        // A removal finds in a shared tier only what is there: the back-fills under way in the background land first.
        await _background.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await GuardedAsync(TaggedEpochs(), async () =>
            {
                await ForEachCacheTierAsync(tier => tier.RemoveByTagUntypedAsync(tag, cancellationToken)).ConfigureAwait(false);
                return true;
            }, unkeyed: true).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await PublishRemoveByTagAsync(tag, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await PublishRemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the entities carrying a tag from this instance's process-local tiers only: what a backplane calls when another instance removed the tag.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the local tiers have removed the entities.</returns>
    public async ValueTask RemoveByTagLocalAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        await GuardedAsync(TaggedEpochs(), async () =>
        {
            foreach (var tier in _tiers.Where(static t => t.IsProcessLocal))
            {
                await tier.RemoveByTagUntypedAsync(tag, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, unkeyed: true).ConfigureAwait(false);
    }

    /// <summary>The write epochs of every type with tags: a removal is a write of each, so racing back-fills are undone.</summary>
    private WriteEpoch[] TaggedEpochs() =>
        EntityTagRegistry.TaggedTypes.Select(t => EpochOf(StockpileEntityType.For(t))).Distinct().ToArray();

    private ValueTask PublishRemoveByTagAsync(string tag, CancellationToken cancellationToken) =>
        Backplane is { } backplane ? backplane.PublishRemoveByTagAsync(tag, cancellationToken) : default;
}
