using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Stockpile.Redis.Caching;

/// <summary>
/// How <see cref="RedisCacheTier"/> lays an entry out in one Redis string (format 1): byte 0 is the kind
/// (<see cref="WithValue"/> or <see cref="WithoutValue"/>, both below <c>'0'</c>, so no text value is ever taken for a
/// header), then in ASCII the expiry in Unix milliseconds of the cache's clock (empty for never), <c>;</c>, the byte
/// length of the tag section, <c>;</c>, the tag section (UTF-8), and last the value's bytes. A value with neither
/// expiry nor tags carries 5 bytes of header (<c>\x01;0;</c>). A counter is an entry like any other whose bytes are
/// decimal digits, so an increment keeps its expiry and tags.
/// </summary>
internal static class RedisCacheEntryFormat
{
    /// <summary>The kind of an entry holding a value (its bytes follow the header).</summary>
    public const byte WithValue = 1;

    /// <summary>The kind of an entry that caches the absence of a value (nothing follows the header).</summary>
    public const byte WithoutValue = 2;

    private const byte Separator = (byte)';';

    /// <summary>Writes the header of an entry; the value's bytes (if any) are written after it.</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, bool hasValue, long? expiry, string? tags)
    {
        var tagLength = tags is null ? 0 : Encoding.UTF8.GetByteCount(tags);
        var span = writer.GetSpan(1 + 20 + 1 + 11 + 1 + tagLength);
        span[0] = hasValue ? WithValue : WithoutValue;
        var position = 1;
        if (expiry is { } at)
        {
            Utf8Formatter.TryFormat(at, span[position..], out var written);
            position += written;
        }

        span[position++] = Separator;
        Utf8Formatter.TryFormat(tagLength, span[position..], out var lengthWritten);
        position += lengthWritten;
        span[position++] = Separator;
        if (tags is not null)
        {
            position += Encoding.UTF8.GetBytes(tags, span[position..]);
        }

        writer.Advance(position);
    }

    /// <summary>Reads an entry's header; <see langword="false"/> for bytes that are not an entry of this format.</summary>
    /// <param name="value">The string Redis holds.</param>
    /// <param name="hasValue">Whether a value follows the header.</param>
    /// <param name="expiry">The expiry in Unix milliseconds; <see langword="null"/> for never.</param>
    /// <param name="tags">The tag section; <see langword="null"/> for none.</param>
    /// <param name="payloadStart">Where the value's bytes start.</param>
    public static bool TryReadHeader(ReadOnlySpan<byte> value, out bool hasValue, out long? expiry, out string? tags, out int payloadStart)
    {
        hasValue = false;
        expiry = null;
        tags = null;
        payloadStart = 0;
        if (value.Length < 4 || value[0] is not (WithValue or WithoutValue))
        {
            return false;
        }

        var rest = value[1..];
        var end = rest.IndexOf(Separator);
        if (end < 0)
        {
            return false;
        }

        if (end > 0)
        {
            if (!Utf8Parser.TryParse(rest[..end], out long at, out var expiryUsed) || expiryUsed != end)
            {
                return false;
            }

            expiry = at;
        }

        var lengthStart = 1 + end + 1;
        rest = value[lengthStart..];
        end = rest.IndexOf(Separator);
        if (end <= 0 || !Utf8Parser.TryParse(rest[..end], out int tagLength, out var used) || used != end || tagLength > rest.Length - end - 1)
        {
            return false;
        }

        var tagStart = lengthStart + end + 1;
        tags = tagLength > 0 ? Encoding.UTF8.GetString(value.Slice(tagStart, tagLength)) : null;
        hasValue = value[0] == WithValue;
        payloadStart = tagStart + tagLength;
        return true;
    }
}
