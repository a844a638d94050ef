using Microsoft.Extensions.Logging;

namespace Stockpile;

/// <summary>
/// Every log message of Stockpile.Core. Values are never logged; keys only at Debug level (they may hold personal data),
/// so production logs at Information and above carry neither.
/// </summary>
internal static partial class Log
{
    public const int TierReadFailedId = 1;
    public const int BackfillFailedId = 2;
    public const int BackfillUndoneId = 3;
    public const int TierDeleteFailedId = 4;
    public const int MissDebugId = 5;
    public const int UnreadableEntryId = 6;
    public const int SettleFailedId = 7;
    public const int ForeignEntryId = 8;
    public const int CacheKeyRefusedId = 30; // 30–39: the cache beside the entities
    public const int CacheMadeWriteFailedId = 31;
    public const int TokenReadFailedId = 40; // 40–49: invalidation tokens and containers
    public const int TokensUnavailableId = 41;

    [LoggerMessage(TierReadFailedId, LogLevel.Warning, "Stockpile tier '{Tier}' failed a read; it is treated as a miss.", EventName = "TierReadFailed")]
    public static partial void TierReadFailed(ILogger logger, string tier, Exception exception);

    [LoggerMessage(BackfillFailedId, LogLevel.Warning, "Stockpile could not back-fill tier '{Tier}'; the read still succeeds.", EventName = "BackfillFailed")]
    public static partial void BackfillFailed(ILogger logger, string tier, Exception exception);

    [LoggerMessage(BackfillUndoneId, LogLevel.Debug, "Stockpile undid a back-fill of '{Key}' because a write to the same type ran meanwhile.", EventName = "BackfillUndone")]
    public static partial void BackfillUndone(ILogger logger, string key);

    [LoggerMessage(TierDeleteFailedId, LogLevel.Error, "Stockpile tier '{Tier}' failed to delete; the caller gets the exception.", EventName = "TierDeleteFailed")]
    public static partial void TierDeleteFailed(ILogger logger, string tier, Exception exception);

    [LoggerMessage(UnreadableEntryId, LogLevel.Warning, "Stockpile store '{Store}' held bytes it cannot read back; they were removed and the read is a miss.", EventName = "UnreadableEntry")]
    public static partial void UnreadableEntry(ILogger logger, string store, Exception exception);

    [LoggerMessage(ForeignEntryId, LogLevel.Warning, "Stockpile store '{Store}' held, under a key, what none of its puts writes there (an object without that key, or a pointer where none is followed): another program's bytes, or damaged ones; they were removed and the read is a miss.", EventName = "ForeignEntry")]
    public static partial void ForeignEntry(ILogger logger, string store);

    [LoggerMessage(SettleFailedId, LogLevel.Warning, "Stockpile chain '{Chain}' could not finish a write's follow-up work (an outbox row's delete); the write itself succeeded, and the work is retried later.", EventName = "SettleFailed")]
    public static partial void SettleFailed(ILogger logger, string chain, Exception exception);

    [LoggerMessage(CacheKeyRefusedId, LogLevel.Warning, "Stockpile cache did not cache a value: its key of {Length} characters is longer than MaximumKeyLength.", EventName = "CacheKeyRefused")]
    public static partial void CacheKeyRefused(ILogger logger, int length);

    [LoggerMessage(CacheMadeWriteFailedId, LogLevel.Error, "Stockpile cache '{Cache}' could not write a value it made to its shared tier after answering ({Reason}); the value is dropped from memory too and made again on the next miss.", EventName = "CacheMadeWriteFailed")]
    public static partial void CacheMadeWriteFailed(ILogger logger, string cache, string reason, Exception exception);

    [LoggerMessage(MissDebugId, LogLevel.Debug, "Stockpile miss on every tier for '{Key}'.", EventName = "Miss")]
    public static partial void Miss(ILogger logger, string key);

    [LoggerMessage(TokenReadFailedId, LogLevel.Warning, "Stockpile could not reach the invalidation tokens; keys built meanwhile are misses.", EventName = "TokenReadFailed")]
    public static partial void TokenReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(TokensUnavailableId, LogLevel.Debug, "Stockpile built a never-used key for '{Name}': its tokens are unknown.", EventName = "TokensUnavailable")]
    public static partial void TokensUnavailable(ILogger logger, string name);
}
