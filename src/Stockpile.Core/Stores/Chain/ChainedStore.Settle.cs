using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
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
