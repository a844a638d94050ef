using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// Incremental RESP2 parser for one connection. It consumes each complete scalar as soon as it has arrived and keeps
/// the arrays still being filled, so a large reply split over many reads is parsed once, never from the start again.
/// </summary>
internal sealed class RespParser
{
    /// <summary>The largest bulk string Redis itself accepts (proto-max-bulk-len): 512 MiB.</summary>
    public const int MaxBulkLength = 512 * 1024 * 1024;

    private const int MaxLineLength = 1024 * 1024;
    private const int MaxDepth = 512;

    private readonly Stack<(RedisReply[] Items, int Filled)> _arrays = new();

    /// <summary>Reads the next complete reply from <paramref name="reader"/>, consuming what it parsed.</summary>
    /// <returns><see langword="true"/> with a reply; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="RespProtocolException">The bytes are not valid RESP2.</exception>
    public bool TryRead(ref SequenceReader<byte> reader, [NotNullWhen(true)] out RedisReply? reply)
    {
        while (TryReadElement(ref reader, out var element, out var arrayLength))
        {
            if (element is null)
            {
                if (_arrays.Count == MaxDepth)
                {
                    throw new RespProtocolException("arrays nested too deeply");
                }

                _arrays.Push((new RedisReply[arrayLength], 0));
                continue;
            }

            if (TryComplete(ref element))
            {
                reply = element;
                return true;
            }
        }

        reply = null;
        return false;
    }

    /// <summary>Forgets any half-read reply, for a parser reused on a new stream.</summary>
    public void Reset() => _arrays.Clear();

    private static bool TryReadElement(ref SequenceReader<byte> reader, out RedisReply? element, out int arrayLength)
    {
        element = null;
        arrayLength = 0;
        var checkpoint = reader;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxLineLength)
            {
                throw new RespProtocolException("a line longer than 1 MiB");
            }

            reader = checkpoint;
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                element = ReadSimpleString(line);
                return true;
            case (byte)'-':
                element = RedisReply.Error(Encoding.UTF8.GetString(line));
                return true;
            case (byte)':':
                element = RedisReply.Integer(ParseInteger(line));
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, ParseInteger(line), checkpoint, out element);
            case (byte)'*':
                var length = ParseInteger(line);
                if (length is < -1 or > int.MaxValue)
                {
                    throw new RespProtocolException("an invalid array length");
                }

                element = length switch
                {
                    -1 => RedisReply.NullArray,
                    0 => RedisReply.EmptyArray,
                    _ => null,
                };
                arrayLength = (int)length;
                return true;
            default:
                throw new RespProtocolException($"an unexpected type byte 0x{prefix:X2}");
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, long length, SequenceReader<byte> checkpoint, out RedisReply? element)
    {
        element = null;
        if (length == -1)
        {
            element = RedisReply.NullBulkString;
            return true;
        }

        if (length is < 0 or > MaxBulkLength)
        {
            throw new RespProtocolException("an invalid bulk string length");
        }

        if (reader.Remaining < length + 2)
        {
            reader = checkpoint;
            return false;
        }

        var bytes = length == 0 ? [] : new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RespProtocolException("a bulk string not followed by CRLF");
        }

        element = RedisReply.BulkString(bytes);
        return true;
    }

    private static RedisReply ReadSimpleString(ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment && line.FirstSpan.SequenceEqual("OK"u8))
        {
            return RedisReply.Ok;
        }

        return line.IsSingleSegment && line.FirstSpan.SequenceEqual("QUEUED"u8)
            ? RedisReply.Queued
            : RedisReply.SimpleString(line.ToArray());
    }

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        Span<byte> buffer = stackalloc byte[20];
        if (line.Length is 0 or > 20)
        {
            throw new RespProtocolException("a malformed integer");
        }

        line.CopyTo(buffer);
        var digits = buffer[..(int)line.Length];
        return Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length
            ? value
            : throw new RespProtocolException("a malformed integer");
    }

    private bool TryComplete(ref RedisReply element)
    {
        while (_arrays.TryPop(out var array))
        {
            array.Items[array.Filled++] = element;
            if (array.Filled < array.Items.Length)
            {
                _arrays.Push(array);
                return false;
            }

            element = RedisReply.Array(array.Items);
        }

        return true;
    }
}
