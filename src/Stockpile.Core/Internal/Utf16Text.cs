namespace Stockpile.Internal;

/// <summary>Checks on UTF-16 text that stores encoding it to UTF-8 (Redis keys, database columns) rely on.</summary>
internal static class Utf16Text
{
    /// <summary>
    /// Returns whether text is well-formed UTF-16 (no lone surrogate), so that its UTF-8 bytes stand for it alone: a
    /// lone surrogate has no UTF-8 form and becomes U+FFFD, the text of another value.
    /// </summary>
    public static bool IsWellFormed(string text)
    {
        var span = text.AsSpan();
        var index = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (index >= 0)
        {
            if (!char.IsHighSurrogate(span[index]) || index + 1 >= span.Length || !char.IsLowSurrogate(span[index + 1]))
            {
                return false;
            }

            span = span[(index + 2)..];
            index = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        }

        return true;
    }
}
