using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Stockpile.Internal;

/// <summary>
/// Stable names for types: the same in every process and on every machine (no assembly versions, no hash codes), and
/// different for different types, even two with one full name in different assemblies.
/// </summary>
/// <remarks>
/// A canonical name is the <see cref="StockpileTypeAttribute"/> name when the type pins one; otherwise the full name
/// with generic arguments spelled out, followed by <c>@</c> and the assembly's simple name (left out for the core
/// library's own types, such as <c>System.Int32</c>). Each name is claimed by the first type that asks for it; a second
/// type asking for a claimed name is refused, so within a process a name always means one type. Only types the program
/// itself uses are ever remembered: names read from outside are looked up, never added.
/// <para>A type's <see cref="Token"/> is its short name for stores that keep keys short (the Redis store): the pinned
/// name of a type that pins one, otherwise 11 characters of base64url, the first 64 bits of the SHA-256 of its
/// canonical name. Tokens are claimed like names: a second type with a token already taken is refused.</para>
/// </remarks>
internal static class TypeNames
{
    private const char AssemblyMarker = '@';

    private static readonly Assembly s_coreLibrary = typeof(object).Assembly;
    private static readonly ConcurrentDictionary<Type, string> s_canonical = new();
    private static readonly ConcurrentDictionary<string, Type> s_owners = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, byte[]> s_canonicalUtf8 = new();
    private static readonly ConcurrentDictionary<Type, string> s_tokens = new();
    private static readonly ConcurrentDictionary<string, Type> s_tokenOwners = new(StringComparer.Ordinal);

    /// <summary>The name used in canonical key encodings and payloads; claims it for <paramref name="type"/>.</summary>
    /// <exception cref="StockpileKeyException">Another type already has the name, or the pinned name is invalid.</exception>
    public static string Canonical(Type type) =>
        s_canonical.TryGetValue(type, out var name) ? name : s_canonical.GetOrAdd(type, Claim(type, NameOf(type)));

    /// <summary>
    /// The UTF-8 bytes of <see cref="Canonical"/> (claiming the name), computed once per type: payloads carry them,
    /// and a read compares them in place instead of decoding a string per object.
    /// </summary>
    /// <exception cref="StockpileKeyException">Another type already has the name, or the pinned name is invalid.</exception>
    public static byte[] CanonicalUtf8(Type type) =>
        s_canonicalUtf8.TryGetValue(type, out var bytes) ? bytes : s_canonicalUtf8.GetOrAdd(type, Encoding.UTF8.GetBytes(Canonical(type)));

    /// <summary>Finds the type that has claimed a canonical name in this process; never remembers the name asked for.</summary>
    public static bool TryFind(string canonicalName, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Type type) =>
        s_owners.TryGetValue(canonicalName, out type);

    /// <summary>
    /// The type's short name in keys (the Redis store's compact layout): its pinned name when it pins one (a
    /// non-generic type with <see cref="StockpileTypeAttribute"/>), otherwise the first 64 bits of the SHA-256 of its
    /// <see cref="Canonical"/> name in base64url (11 characters of <c>A–Z a–z 0–9 - _</c>). The same in every process
    /// and on every machine; claims the token (and the canonical name) for <paramref name="type"/>.
    /// </summary>
    /// <exception cref="StockpileKeyException">Another type already has the token or the name, or the pinned name is invalid.</exception>
    public static string Token(Type type) =>
        s_tokens.TryGetValue(type, out var token) ? token : s_tokens.GetOrAdd(type, ClaimToken(type, TokenOf(type)));

    /// <summary>Finds the type that has claimed a token in this process; never remembers the token asked for.</summary>
    public static bool TryFindByToken(string token, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Type type) =>
        s_tokenOwners.TryGetValue(token, out type);

    /// <summary>The token of a canonical name, as <see cref="Token"/> makes it for a type that pins none.</summary>
    public static string HashToken(string canonicalName)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonicalName), hash);
        return Base64Url.EncodeToString(hash[..8]);
    }

    private static string TokenOf(Type type)
    {
        var name = Canonical(type);
        return !type.IsGenericType && type.GetCustomAttribute<StockpileTypeAttribute>(inherit: false) is not null ? name : HashToken(name);
    }

    private static string ClaimToken(Type type, string token)
    {
        var owner = s_tokenOwners.GetOrAdd(token, type);
        if (owner != type)
        {
            throw new StockpileKeyException(type, null, $"its short name in cache keys, '{token}', is already used by type '{owner.FullName}' from assembly '{owner.Assembly.GetName().Name}' (this one, '{type.FullName}', is from '{type.Assembly.GetName().Name}'). Two types must never share cache keys: give one of them another name with [StockpileType(\"…\")].");
        }

        return token;
    }

    /// <summary>The canonical name a type would have, without claiming it (for types found by a scan, not used).</summary>
    public static string NameOf(Type type)
    {
        if (type.GetCustomAttribute<StockpileTypeAttribute>(inherit: false) is not { } pinned)
        {
            return Build(type, qualified: true);
        }

        // A pin on a generic type names the definition; each constructed type adds its arguments, as unpinned ones do.
        var name = Pinned(type, pinned.Name);
        return type.IsConstructedGenericType
            ? $"{name}<{string.Join(',', type.GetGenericArguments().Select(NameOf))}>"
            : name;
    }

    /// <summary>A short name for messages.</summary>
    public static string Display(Type type) => Build(type, qualified: false);

    private static string Claim(Type type, string name)
    {
        var owner = s_owners.GetOrAdd(name, type);
        if (owner != type)
        {
            throw new StockpileKeyException(type, null, $"its name in cache keys, '{name}', is already used by type '{owner.FullName}' from assembly '{owner.Assembly.GetName().Name}' (this one is from '{type.Assembly.GetName().Name}'). Two types must never share cache keys: give one of them another name with [StockpileType(\"…\")].");
        }

        return name;
    }

    private static string Pinned(Type type, string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/' or '+'))
        {
            throw new StockpileKeyException(type, null, $"[StockpileType(\"{name}\")] is not a valid name: use letters, digits and . _ - : / + only.");
        }

        return name;
    }

    private static string Build(Type type, bool qualified)
    {
        var name = BuildName(type, qualified);
        return qualified && type.Assembly != s_coreLibrary && !type.IsGenericParameter
            ? $"{name}{AssemblyMarker}{type.Assembly.GetName().Name}"
            : name;
    }

    /// <summary>A generic argument: its own canonical name when qualified (pinned, or with its assembly).</summary>
    private static string Argument(Type type, bool qualified) => qualified ? NameOf(type) : Build(type, qualified: false);
    private static string BuildName(Type type, bool qualified)
    {
        if (!type.IsGenericType)
        {
            return (qualified ? type.FullName : type.Name) ?? type.Name;
        }

        var builder = new StringBuilder();
        var definition = type.GetGenericTypeDefinition();
        var name = (qualified ? definition.FullName : definition.Name) ?? definition.Name;
        var arguments = type.GetGenericArguments();

        // A type nested in a generic type carries one arity marker per level ("Outer`1+Inner"); each level is written
        // with its own arguments, so Outer<int>, Outer<int>.Inner and Outer<int>.Other keep distinct names.
        var segments = name.Split('+');
        var next = 0;
        for (var s = 0; s < segments.Length; s++)
        {
            if (s > 0)
            {
                builder.Append('+');
            }

            var segment = segments[s];
            var tick = segment.IndexOf('`', StringComparison.Ordinal);
            var arity = s == segments.Length - 1
                ? arguments.Length - next
                : tick >= 0 && int.TryParse(segment.AsSpan(tick + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var declared) ? declared : 0;
            builder.Append(tick < 0 ? segment : segment[..tick]);
            if (arity <= 0)
            {
                continue;
            }

            builder.Append('<');
            for (var i = next; i < next + arity; i++)
            {
                if (i > next)
                {
                    builder.Append(',');
                }

                builder.Append(Argument(arguments[i], qualified));
            }

            builder.Append('>');
            next += arity;
        }

        return builder.ToString();
    }
}
