using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// One reply from Redis (RESP2): simple string, error, integer, bulk string or array, the last two possibly null.
/// </summary>
/// <remarks>
/// Reading an error reply through any <c>As…</c> accessor throws <see cref="RedisServerException"/>, so a batch
/// caller meets a failed command where it reads it. <see cref="ToString"/> shows the shape, never the content.
/// </remarks>
internal sealed class RedisReply
{
    private static readonly RedisReply[] SmallIntegers = CreateSmallIntegers();

    private readonly byte[]? _bytes;
    private readonly RedisReply[]? _items;
    private readonly string? _error;
    private readonly long _integer;

    private RedisReply(RedisReplyKind kind, byte[]? bytes, RedisReply[]? items, string? error, long integer)
    {
        Kind = kind;
        _bytes = bytes;
        _items = items;
        _error = error;
        _integer = integer;
    }

    /// <summary>Gets <c>+OK</c>.</summary>
    public static RedisReply Ok { get; } = new(RedisReplyKind.SimpleString, "OK"u8.ToArray(), null, null, 0);

    /// <summary>Gets <c>+QUEUED</c>, the reply to a command inside <c>MULTI</c>.</summary>
    public static RedisReply Queued { get; } = new(RedisReplyKind.SimpleString, "QUEUED"u8.ToArray(), null, null, 0);

    /// <summary>Gets the null bulk string (<c>$-1</c>), the reply to a GET on a missing key.</summary>
    public static RedisReply NullBulkString { get; } = new(RedisReplyKind.BulkString, null, null, null, 0);

    /// <summary>Gets the null array (<c>*-1</c>), e.g. an EXEC aborted by WATCH.</summary>
    public static RedisReply NullArray { get; } = new(RedisReplyKind.Array, null, null, null, 0);

    /// <summary>Gets the empty array.</summary>
    public static RedisReply EmptyArray { get; } = new(RedisReplyKind.Array, null, [], null, 0);

    /// <summary>Gets the empty bulk string.</summary>
    public static RedisReply EmptyBulkString { get; } = new(RedisReplyKind.BulkString, [], null, null, 0);

    /// <summary>Gets the kind of reply.</summary>
    public RedisReplyKind Kind { get; }

    /// <summary>Gets a value indicating whether this is a null bulk string or a null array.</summary>
    public bool IsNull => Kind switch
    {
        RedisReplyKind.BulkString => _bytes is null,
        RedisReplyKind.Array => _items is null,
        _ => false,
    };

    /// <summary>Gets a value indicating whether this is an error reply.</summary>
    public bool IsError => Kind == RedisReplyKind.Error;

    /// <summary>Gets the server's error text (<c>ERR …</c>) of an error reply; otherwise <see langword="null"/>.</summary>
    public string? ErrorMessage => _error;

    public static RedisReply SimpleString(byte[] text) => new(RedisReplyKind.SimpleString, text, null, null, 0);

    public static RedisReply Error(string message) => new(RedisReplyKind.Error, null, null, message, 0);

    public static RedisReply Integer(long value) =>
        value is >= -1 and < 63 ? SmallIntegers[value + 1] : new(RedisReplyKind.Integer, null, null, null, value);

    public static RedisReply BulkString(byte[]? bytes) =>
        bytes is null ? NullBulkString : bytes.Length == 0 ? EmptyBulkString : new(RedisReplyKind.BulkString, bytes, null, null, 0);

    public static RedisReply Array(RedisReply[]? items) =>
        items is null ? NullArray : items.Length == 0 ? EmptyArray : new(RedisReplyKind.Array, null, items, null, 0);

    /// <summary>Returns the bytes of a bulk or simple string (an integer as its decimal text).</summary>
    /// <returns>
    /// The bytes, or <see langword="null"/> for a null bulk string. A bulk string's array is the reply's own, not a copy;
    /// a simple string's is a copy, since <see cref="Ok"/> and <see cref="Queued"/> are shared.
    /// </returns>
    /// <exception cref="RedisServerException">The reply is an error.</exception>
    /// <exception cref="InvalidCastException">The reply is an array.</exception>
    public byte[]? AsBytes() => Kind switch
    {
        RedisReplyKind.BulkString => _bytes,
        RedisReplyKind.SimpleString => _bytes!.ToArray(),
        RedisReplyKind.Integer => Encoding.ASCII.GetBytes(_integer.ToString(CultureInfo.InvariantCulture)),
        _ => throw Mismatch("a string"),
    };

    /// <summary>Returns a bulk or simple string decoded as UTF-8 (an integer as its decimal text).</summary>
    /// <returns>The text, or <see langword="null"/> for a null bulk string.</returns>
    /// <exception cref="RedisServerException">The reply is an error.</exception>
    /// <exception cref="InvalidCastException">The reply is an array.</exception>
    public string? AsString() => Kind switch
    {
        RedisReplyKind.BulkString or RedisReplyKind.SimpleString => _bytes is null ? null : Encoding.UTF8.GetString(_bytes),
        RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => throw Mismatch("a string"),
    };

    /// <summary>Returns an integer reply, or a bulk or simple string holding a decimal integer.</summary>
    /// <exception cref="RedisServerException">The reply is an error.</exception>
    /// <exception cref="InvalidCastException">The reply is null, an array, or not a decimal integer.</exception>
    public long AsInt64()
    {
        if (Kind == RedisReplyKind.Integer)
        {
            return _integer;
        }

        if (Kind is RedisReplyKind.BulkString or RedisReplyKind.SimpleString)
        {
            if (_bytes is null)
            {
                throw new InvalidCastException(ExceptionMessages.ReplyIsNull("an integer"));
            }

            if (Utf8Parser.TryParse(_bytes, out long value, out var consumed) && consumed == _bytes.Length)
            {
                return value;
            }
        }

        throw Mismatch("an integer");
    }

    /// <summary>Returns the items of an array reply.</summary>
    /// <returns>The items, or <see langword="null"/> for a null array.</returns>
    /// <exception cref="RedisServerException">The reply is an error.</exception>
    /// <exception cref="InvalidCastException">The reply is not an array.</exception>
    public RedisReply[]? AsArray() => Kind == RedisReplyKind.Array ? _items : throw Mismatch("an array");

    /// <summary>Throws <see cref="RedisServerException"/> when this is an error reply.</summary>
    /// <param name="command">The command that got the reply, named in the exception.</param>
    /// <returns>This reply.</returns>
    public RedisReply ThrowIfError(string? command = null) =>
        _error is null ? this : throw new RedisServerException(command, _error);

    /// <summary>Describes the reply's shape only (kind and size), never its content, so that it is safe to log.</summary>
    public override string ToString() => Kind switch
    {
        RedisReplyKind.Error => "Error",
        RedisReplyKind.Integer => "Integer",
        RedisReplyKind.Array => _items is null ? "Array(null)" : Invariant($"Array({_items.Length})"),
        _ => _bytes is null ? $"{Kind}(null)" : Invariant($"{Kind}({_bytes.Length} bytes)"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static RedisReply[] CreateSmallIntegers()
    {
        var replies = new RedisReply[64];
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = new RedisReply(RedisReplyKind.Integer, null, null, null, i - 1);
        }

        return replies;
    }

    private Exception Mismatch(string expected) =>
        _error is not null
            ? new RedisServerException(null, _error)
            : new InvalidCastException(ExceptionMessages.ReplyKindMismatch(expected, ToString()));
}
