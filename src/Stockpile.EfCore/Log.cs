using Microsoft.Extensions.Logging;

namespace Stockpile.Internal;

/// <summary>
/// Every log message of Stockpile.EfCore. Values and keys are never logged: an entity's key may hold personal data, and
/// these messages come at Debug level and above.
/// </summary>
internal static partial class Log
{
    public const int ConflictRetryId = 1001;
    public const int CommitApplyFailedId = 1002;
    public const int WriteThroughDowngradedId = 1003;
    public const int ChangesDiscardedId = 1004;
    public const int CommitOutcomeUnknownId = 1005;
    public const int KeyNotCachedId = 1006;
    public const int CaptureFailedId = 1007;
    public const int QueryCacheFailedId = 1101;
    public const int QueryInvalidationRetryFailedId = 1102;
    public const int OutboxRowKeptId = 1201;
    public const int OutboxDeleteFailedId = 1202;
    public const int OutboxDrainFailedId = 1203;
    public const int OutboxDrainedId = 1204;

    [LoggerMessage(ConflictRetryId, LogLevel.Debug, "Stockpile store '{Store}' retries a {Operation}: a concurrent write changed the rows it read (attempt {Attempt}).", EventName = "ConflictRetry")]
    public static partial void ConflictRetry(ILogger logger, string store, string operation, int attempt);

    [LoggerMessage(CommitApplyFailedId, LogLevel.Error, "Stockpile could not update the cache tiers of '{Chain}' after a commit. The data is committed; a cache may serve the previous state until it expires or is invalidated.", EventName = "CommitApplyFailed")]
    public static partial void CommitApplyFailed(ILogger logger, string chain, Exception exception);

    [LoggerMessage(WriteThroughDowngradedId, LogLevel.Debug, "Stockpile evicted {Count} object(s) instead of writing them through: a concurrent commit touched the same rows.", EventName = "WriteThroughDowngraded")]
    public static partial void WriteThroughDowngraded(ILogger logger, int count);

    [LoggerMessage(ChangesDiscardedId, LogLevel.Debug, "Stockpile discarded the cache updates of {Count} change(s): {Reason}.", EventName = "ChangesDiscarded")]
    public static partial void ChangesDiscarded(ILogger logger, int count, string reason);

    [LoggerMessage(KeyNotCachedId, LogLevel.Warning, "Stockpile leaves key '{Key}' of entity type '{EntityType}' out of its caches: {Reason}. A type whose primary key is left out is not cached at all.", EventName = "KeyNotCached")]
    public static partial void KeyNotCached(ILogger logger, string entityType, string key, string reason);

    [LoggerMessage(CaptureFailedId, LogLevel.Warning, "Stockpile could not read the keys of what a save changes; the save goes on, and the changed entity types ({EntityTypes}) are dropped from the caches whole once it commits.", EventName = "CaptureFailed")]
    public static partial void CaptureFailed(ILogger logger, string entityTypes, Exception exception);

    [LoggerMessage(QueryCacheFailedId, LogLevel.Warning, "Stockpile could not {Operation} a cached query's result; the database answered instead.", EventName = "QueryCacheFailed")]
    public static partial void QueryCacheFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(QueryInvalidationRetryFailedId, LogLevel.Warning, "Stockpile could not yet remove the tables' tags a commit changed from the query caches; cached queries of those tables go to the database here until a retry succeeds.", EventName = "QueryInvalidationRetryFailed")]
    public static partial void QueryInvalidationRetryFailed(ILogger logger, Exception exception);

    [LoggerMessage(CommitOutcomeUnknownId, LogLevel.Warning, "A commit failed, so whether it wrote is unknown; Stockpile evicts the {Count} changed object(s) rather than write them through.", EventName = "CommitOutcomeUnknown")]
    public static partial void CommitOutcomeUnknown(ILogger logger, int count);

    [LoggerMessage(OutboxRowKeptId, LogLevel.Warning, "Stockpile keeps a commit's outbox row: a cache tier did not take all of its evictions (a failure, or Redis unreachable). It is drained and retried later.", EventName = "OutboxRowKept")]
    public static partial void OutboxRowKept(ILogger logger);

    [LoggerMessage(OutboxDeleteFailedId, LogLevel.Warning, "Stockpile could not delete an outbox row after its evictions; it is drained later, which evicts once more.", EventName = "OutboxDeleteFailed")]
    public static partial void OutboxDeleteFailed(ILogger logger, Exception exception);

    [LoggerMessage(OutboxDrainFailedId, LogLevel.Error, "Stockpile could not drain the invalidation outbox of '{Context}'; the next pass tries again.", EventName = "OutboxDrainFailed")]
    public static partial void OutboxDrainFailed(ILogger logger, string context, Exception exception);

    [LoggerMessage(OutboxDrainedId, LogLevel.Information, "Stockpile drained {Count} outbox row(s) of '{Context}' left by commits whose evictions had not completed; {Left} row(s) left.", EventName = "OutboxDrained")]
    public static partial void OutboxDrained(ILogger logger, int count, string context, long left);
}
