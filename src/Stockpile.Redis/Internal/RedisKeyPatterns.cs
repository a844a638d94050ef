using System.Text;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The layout of the keys the store writes, in one place. An object (or an alternate key's pointer) is kept under
/// <c>prefix{canonical key}</c>; its side record and a lease append <see cref="SideRecordSuffix"/> or
/// <see cref="FenceSuffix"/> after the closing brace.
/// </summary>
/// <remarks>
/// <para><b>The prefix is a namespace.</b> A prefix holds no brace (the options validator refuses one), so the first
/// <c>{</c> of a key ends its prefix: <c>app1{…}</c> and <c>app10{…}</c>, or <c>shop:{…}</c> and <c>shop:eu:{…}</c>,
/// can never be read, scanned or cleared one for the other, and a key without that shape (<c>app1session:abc</c>) is
/// never taken for one of ours.</para>
/// <para><b>Hash tags.</b> The braces are a Redis Cluster hash tag: an object's value, side record and fence share
/// the slot of its canonical key, while objects of one type spread over every slot (their canonical keys differ).
/// A canonical key holding a <c>}</c> ends its tag early; the tag is still the same for every key of that object.</para>
/// </remarks>
internal static class RedisKeyPatterns
{
    /// <summary>Appended to an object key to name its side record (the set of its alternate keys).</summary>
    public const string SideRecordSuffix = "#alts";

    /// <summary>Appended to a key to name its write fence (the server time of the last put or delete that touched it).</summary>
    public const string FenceSuffix = "#fence";

    /// <summary>The UTF-8 byte an object key ends with (the closing brace).</summary>
    public const byte ObjectKeyEndUtf8 = (byte)TagClose;

    private const char TagOpen = '{';
    private const char TagClose = '}';
    private const char Separator = '|';
    private const char Escape = '\\';

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Gets the Redis key of a canonical key under a prefix.</summary>
    public static string ObjectKey(string prefix, string canonicalKey) => string.Concat(prefix, "{", canonicalKey, "}");

    /// <summary>Gets the UTF-8 bytes an object key under a prefix starts with (the prefix and the opening brace); the canonical key and <see cref="ObjectKeyEndUtf8"/> follow.</summary>
    public static byte[] ObjectKeyStartUtf8(string prefix) => Encoding.UTF8.GetBytes(prefix + TagOpen);

    /// <summary>Follows the prefix in <see cref="ClearFenceKey"/>.</summary>
    public const string ClearFenceInfix = "{#clear}" + FenceSuffix;

    /// <summary>
    /// Gets the key under which a clear is fenced in one slot of a cluster (the slot of <paramref name="tag"/>, see
    /// <see cref="RedisSlotTags"/>): a late put's script reads the one in its object's slot, since it cannot read
    /// <see cref="ClearFenceKey"/> in another. The <c>#</c> before the brace keeps it out of the canonical shape, so no
    /// clear removes it; it expires after the fence lifetime.
    /// </summary>
    public static string SlotClearFenceKey(string prefix, string tag) => string.Concat(prefix, "#clear:{", tag, "}");

    /// <summary>Follows the prefix in <see cref="FenceBucketKey"/>.</summary>
    public const string FenceBucketInfix = "{#fences}";

    /// <summary>Gets the key under which a clear of everything under a prefix is fenced: in a slot of its own, and not of the canonical shape, so no clear removes it.</summary>
    public static string ClearFenceKey(string prefix) => prefix + ClearFenceInfix;

    /// <summary>
    /// Gets the key of a fence bucket on one server: a hash of the keys fenced in ten seconds of server time (bucket
    /// <paramref name="bucket"/> = the Unix time in seconds divided by ten), each with the time of its last fence in
    /// µs. Not of the canonical shape, so no clear removes it; it expires by itself (see <see cref="RedisScripts"/>).
    /// </summary>
    public static string FenceBucketKey(string prefix, long bucket) => prefix + FenceBucketInfix + bucket.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Gets the key of an entity tag's set (the primary keys of the objects written with the tag): the tag is the hash
    /// tag, so the set sits in one slot; the <c>#</c> before the brace keeps it out of the canonical shape, so no clear
    /// or scan of objects ever takes it for one.
    /// </summary>
    public static string TagSetKey(string prefix, string tag) => string.Concat(prefix, "#etag:{", tag, "}");

    /// <summary>Gets the <c>SCAN MATCH</c> pattern of the keys under exactly a prefix (a superset of ours: check each with <see cref="TryReadCanonicalKey"/>).</summary>
    public static string ScanPattern(string prefix) => EscapeGlob(prefix) + "{*";

    /// <summary>
    /// Returns whether a key read from Redis itself (a side record's member, the owner a pointer names, a tag's member)
    /// is of the shape of the store's object keys: <c>prefix{…}</c> with a non-empty hash tag, so that it lies under the
    /// prefix and shares its slot with its side record and fence. The write scripts check the same in Lua
    /// (<see cref="RedisScripts"/>): a corrupt or foreign record naming any other key never makes the store touch it.
    /// </summary>
    public static bool IsObjectKey(string prefix, string key) =>
        key.Length > prefix.Length + 2
        && key.StartsWith(prefix, StringComparison.Ordinal)
        && key[prefix.Length] == TagOpen
        && key[prefix.Length + 1] != TagClose
        && key[^1] == TagClose;

    /// <summary>The character that follows a prefix in the keys the store and the cache keep for themselves (<c>#clear:</c>, <c>#etag:</c>, <c>#tokens:</c>, <c>#cache:</c>; in a cache <c>#fence:</c>, <c>#lock:</c>, <c>#tags:</c>, …).</summary>
    public const char InternalMarker = '#';

    /// <summary>
    /// Returns whether a prefix can be one: it must hold no brace, which ends it in every key, and no
    /// <see cref="InternalMarker"/>. With neither, the first <c>{</c> or <c>#</c> of any key ends its prefix, so no
    /// key of one prefix is ever a key of another (<c>app:#etag:{…}</c>, an object under the prefix <c>app:#etag:</c>,
    /// would be a tag set of <c>app:</c>).
    /// </summary>
    public static bool IsValidPrefix(string prefix) => prefix.AsSpan().IndexOfAny(TagOpen, TagClose, InternalMarker) < 0;

    /// <summary>Says why <see cref="IsValidPrefix"/> refuses a prefix (the end of an options validation message).</summary>
    public const string PrefixRule =
        "must not contain '{', '}' or '#': every key is the prefix, then a brace (an object, whose hash tag it opens) or a '#' (a key the store or the cache keeps for itself, such as '#etag:' or '#clear:'), so a prefix holding one could name another prefix's keys";

    /// <summary>Escapes the characters <c>SCAN MATCH</c> treats as wildcards, so a prefix matches only itself.</summary>
    public static string EscapeGlob(string text)
    {
        var builder = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Reads the canonical key inside a Redis key this store may have written under <paramref name="prefix"/>: an
    /// object key, a side record or a fence. <see langword="false"/> for anything else, which the store never touches.
    /// </summary>
    public static bool TryReadCanonicalKey(ReadOnlySpan<byte> key, string prefix, out string canonicalKey)
    {
        canonicalKey = string.Empty;
        string text;
        try
        {
            text = s_strictUtf8.GetString(key);
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (text.Length < prefix.Length + 2 || !text.StartsWith(prefix, StringComparison.Ordinal) || text[prefix.Length] != TagOpen)
        {
            return false;
        }

        var body = text.AsSpan(prefix.Length + 1);
        if (body.EndsWith(SideRecordSuffix, StringComparison.Ordinal))
        {
            body = body[..^SideRecordSuffix.Length];
        }
        else if (body.EndsWith(FenceSuffix, StringComparison.Ordinal))
        {
            body = body[..^FenceSuffix.Length];
        }

        if (body.Length == 0 || body[^1] != TagClose || !IsCanonical(body[..^1]))
        {
            return false;
        }

        canonicalKey = body[..^1].ToString();
        return true;
    }

    /// <summary>Reads the canonical type name that starts a canonical key, undoing its escapes.</summary>
    public static string TypeNameOf(string canonicalKey)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < canonicalKey.Length; i++)
        {
            var c = canonicalKey[i];
            if (c == Separator)
            {
                break;
            }

            if (c == Escape && i + 1 < canonicalKey.Length)
            {
                c = canonicalKey[++i];
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>The shape of a canonical key: a type, a key name and at least one value, separated by unescaped bars.</summary>
    private static bool IsCanonical(ReadOnlySpan<char> text)
    {
        var segments = 1;
        var segmentLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == Escape)
            {
                if (++i == text.Length)
                {
                    return false;
                }

                segmentLength++;
            }
            else if (text[i] == Separator)
            {
                if (segmentLength == 0)
                {
                    return false;
                }

                segments++;
                segmentLength = 0;
            }
            else
            {
                segmentLength++;
            }
        }

        return segments >= 3 && segmentLength > 0;
    }
}
