using Stockpile.Internal;

namespace Stockpile;

/// <content>Settling: the back-fills that run after their caller was answered (see <c>ChainedStore.Backfill.cs</c>), then every cache tier; and a write's work that waits for its tiers to settle (an outbox row).</content>
public sealed partial class ChainedStore
{
    private readonly PendingWrites _background = new();

    /// <summary>Gets how many back-fills (and evictions behind a save, see <c>ChainedStore.EvictionBehind.cs</c>) run in the background now (for tests).</summary>
    internal int BackgroundBackfills => _background.Count;

    /// <inheritdoc/>
    /// <remarks>
    /// Waits for the back-fills under way in the background (each ends written, refused by its lease, or failed and
    /// logged), then settles each cache tier: settled when every tier is.
    /// </remarks>
    internal override async ValueTask<bool> SettleAsync(CancellationToken cancellationToken)
    {
        await _background.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var tier = 0; tier < _tiers.Length; tier++)
        {
            if (IsCache(tier) && !await _tiers[tier].SettleAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// After a write reached every tier and was published: when every cache tier is settled (Redis remembers no skipped
    /// write), runs what the tiers asked for once the write settled (see <see cref="ChainWrite"/>). Never throws: the
    /// write is done, and work left undone is the asking tier's to retry (an outbox row is drained later).
    /// </summary>
    private async ValueTask SettleWriteAsync(ChainWrite write)
    {
        if (!write.HasWork)
        {
            return;
        }

        try
        {
            foreach (var tier in _tiers)
            {
                if (!tier.IsSourceOfTruth && !await tier.SettleAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    return;
                }
            }

            await write.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SettleFailed(_logger, Name, ex);
        }
    }
}
