namespace Stockpile.Redis.Internal.Resp;

/// <summary>The RESP2 reply types.</summary>
internal enum RedisReplyKind
{
    /// <summary>A status line such as <c>+OK</c>.</summary>
    SimpleString,

    /// <summary>An error line such as <c>-ERR …</c>.</summary>
    Error,

    /// <summary>A signed 64-bit integer.</summary>
    Integer,

    /// <summary>A binary-safe string, possibly null (<c>$-1</c>).</summary>
    BulkString,

    /// <summary>An array of replies, possibly null (<c>*-1</c>) or nested.</summary>
    Array,
}
