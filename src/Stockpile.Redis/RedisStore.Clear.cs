using System.Text;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile;

public sealed partial class RedisStore
{
    private const int ScanPageSize = 1000;

    /// <inheritdoc/>
    /// <remarks>
    /// Scans the keys under the prefix (<c>SCAN</c>, never <c>KEYS</c>) and unlinks them page by page: every key, or
    /// those of the type, its derived types and, in a polymorphic store, the base types it is filed under (a cache
    /// may lose more than asked, never less). Takes one round trip per page of 1,000 keys. If Redis cannot be reached,
    /// the whole prefix is removed when it is back.
    /// </remarks>
    protected override async ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(entityType, async (connection, type, ct) =>
            {
                await RemoveKeysUnderPrefixAsync(connection, type, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RecordMissedClear();
            if (!RedisLink.IsUnavailable(ex) || _throwOnUnavailableWrites)
            {
                throw;
            }
        }
    }

    private async ValueTask RemoveKeysUnderPrefixAsync(IRedisConnection connection, StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        // Fenced first: a back-fill whose read came before the clear is refused, whether the scan passed its key or not.
        await RedisScripts.FenceClear.EvaluateAsync(connection, [ClearFenceKey], [RedisScripts.FenceMilliseconds], cancellationToken).ConfigureAwait(false);
        var pattern = RedisKeyPatterns.EscapeGlob(KeyPrefix) + "*";
        var filter = entityType is null ? null : new RedisKeyTypeFilter(entityType, IsPolymorphic);
        var cursor = "0";
        do
        {
            var page = (await connection.ExecuteAsync(new RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", ScanPageSize), cancellationToken).ConfigureAwait(false)).AsArray()!;
            cursor = page[0].AsString()!;
            var doomed = new List<RedisArgument>();
            foreach (var item in page[1].AsArray()!)
            {
                var key = item.AsBytes()!;
                var text = Encoding.UTF8.GetString(key);
                if (text != ClearFenceKey && (filter is null || filter.Matches(text, KeyPrefix.Length)))
                {
                    doomed.Add(key);
                }
            }

            if (doomed.Count > 0)
            {
                await connection.ExecuteAsync(new RedisCommand("UNLINK", [.. doomed]), cancellationToken).ConfigureAwait(false);
            }
        }
        while (cursor != "0");
    }
}
