using System.Globalization;
using System.Text;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// One binary-safe argument of a <see cref="RedisCommand"/>: text (sent as UTF-8), bytes, or an integer.
/// It stores what it was given and encodes it straight into the send buffer, so building one allocates nothing.
/// </summary>
internal readonly struct RedisArgument
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly Kind _kind;

    private RedisArgument(string? text, ReadOnlyMemory<byte> bytes, long integer, Kind kind)
    {
        _text = text;
        _bytes = bytes;
        _integer = integer;
        _kind = kind;
    }

    private enum Kind : byte
    {
        Bytes,
        Text,
        Integer,
    }

    /// <summary>Gets the number of bytes the argument takes on the wire.</summary>
    public int ByteCount => _kind switch
    {
        Kind.Text => Encoding.UTF8.GetByteCount(_text!),
        Kind.Integer => CountDigits(_integer),
        _ => _bytes.Length,
    };

    public static implicit operator RedisArgument(string text) => FromString(text);

    public static implicit operator RedisArgument(byte[] bytes) => FromBytes(bytes);

    public static implicit operator RedisArgument(ReadOnlyMemory<byte> bytes) => FromMemory(bytes);

    public static implicit operator RedisArgument(long integer) => FromInt64(integer);

    /// <summary>Creates a text argument, sent UTF-8 encoded.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static RedisArgument FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RedisArgument(text, default, 0, Kind.Text);
    }

    /// <summary>Creates a binary argument; the array is not copied, so do not change it until the command completes.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is <see langword="null"/>.</exception>
    public static RedisArgument FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new RedisArgument(null, bytes, 0, Kind.Bytes);
    }

    /// <summary>Creates a binary argument; the memory is not copied, so keep it intact until the command completes.</summary>
    public static RedisArgument FromMemory(ReadOnlyMemory<byte> bytes) => new(null, bytes, 0, Kind.Bytes);

    /// <summary>Creates an integer argument, sent as its decimal text.</summary>
    public static RedisArgument FromInt64(long integer) => new(null, default, integer, Kind.Integer);

    /// <summary>Writes the argument's bytes into <paramref name="destination"/>, which holds at least <see cref="ByteCount"/> bytes.</summary>
    /// <returns>The number of bytes written.</returns>
    public int CopyTo(Span<byte> destination)
    {
        switch (_kind)
        {
            case Kind.Text:
                return Encoding.UTF8.GetBytes(_text!, destination);
            case Kind.Integer:
                _integer.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
                return written;
            default:
                _bytes.Span.CopyTo(destination);
                return _bytes.Length;
        }
    }

    /// <summary>Describes the argument without its content, so that it is safe to log.</summary>
    public override string ToString() => _kind switch
    {
        Kind.Text => "text",
        Kind.Integer => "integer",
        _ => string.Create(CultureInfo.InvariantCulture, $"{_bytes.Length} bytes"),
    };

    private static int CountDigits(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}
