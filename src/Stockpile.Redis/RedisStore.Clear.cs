using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

public sealed partial class RedisStore
{
    private const int ScanPageSize = 1000;

    /// <inheritdoc/>
    /// <remarks>
    /// Scans the keys under the prefix (<c>SCAN</c>, never <c>KEYS</c>) and unlinks them page by page: every key the
    /// store writes (values, pointers, side records, leases: nothing of another shape, and nothing under a longer
    /// prefix, see <see cref="RedisKeyPatterns"/>), or those of the type, its derived types and, in a polymorphic store,
    /// the base types it is filed under, and of types this process does not know (a cache may lose more than asked,
    /// never less). Takes one round trip per page of 1,000 keys. If Redis cannot be reached,
    /// the whole prefix is removed when it is back.
    /// </remarks>
    protected override async ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        await ClearGuardedAsync(entityType is null ? "clear every object" : "clear the " + entityType.ClrType.Name + " objects", entityType, async (database, type, ct) =>
        {
            await RemoveKeysUnderPrefixAsync(database, type, ct).ConfigureAwait(false);
            return true;
        }, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scans every primary (each master of a cluster) and unlinks the keys of ours it finds, page by page, one <c>UNLINK</c> per hash slot.</summary>
    private async ValueTask RemoveKeysUnderPrefixAsync(IDatabase database, StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        // Fenced first: a back-fill whose read came before the clear is refused, whether the scan passed its key or not.
        // The fence key is not of the canonical shape, so the clear never removes it.
        var clearedAt = (string?)await RedisScripts.FenceClear.EvaluateAsync(database, [ClearFenceKey], [RedisScripts.FenceMilliseconds], cancellationToken).ConfigureAwait(false);
        _writeClock.Observe(clearedAt);
        if (clearedAt is not null && IsCluster(database))
        {
            // Before the scan: a late put that lands before its slot's fence is swept with the rest.
            await FenceEverySlotAsync(database, clearedAt, cancellationToken).ConfigureAwait(false);
        }

        var pattern = RedisKeyPatterns.ScanPattern(KeyPrefix);
        var filter = entityType is null ? null : new RedisKeyTypeFilter(entityType, IsPolymorphic);
        var multiplexer = database.Multiplexer;
        foreach (var server in multiplexer.GetServers())
        {
            if (server.IsReplica || !server.IsConnected)
            {
                if (!server.IsReplica)
                {
                    throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, Redis.ExceptionMessages.ServerUnreachableForClear, null, CommandStatus.Unknown);
                }

                continue;
            }

            await RedisKeySweep.RemoveAsync(
                database,
                server,
                pattern,
                ScanPageSize,
                key => RedisKeyPatterns.TryReadCanonicalKey(((byte[])key!).AsSpan(), KeyPrefix, out var canonicalKey) && (filter is null || filter.Matches(canonicalKey)),
                cancellationToken).ConfigureAwait(false);
        }
    }
}
