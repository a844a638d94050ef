using Stockpile.Internal;

namespace Stockpile;

/// <content>Settling: the back-fills that run after their caller was answered (see <c>ChainedStore.Backfill.cs</c>), then every cache tier.</content>
public sealed partial class ChainedStore
{
    private readonly PendingWrites _background = new();

    /// <summary>Gets how many back-fills run in the background now (for tests).</summary>
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
}
