using System.Text;

namespace Stockpile.Redis.Internal;

/// <summary>Helpers for the keys the store writes: glob patterns for <c>SCAN MATCH</c>, and the type a key names.</summary>
internal static class RedisKeyPatterns
{
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

    /// <summary>Reads the canonical type name that starts a canonical key (after the prefix), undoing its escapes.</summary>
    public static string TypeNameOf(string key, int start)
    {
        var builder = new StringBuilder();
        for (var i = start; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '|')
            {
                break;
            }

            if (c == '\\' && i + 1 < key.Length)
            {
                c = key[++i];
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
