using System.Globalization;
using System.Text;

namespace Stockpile.Testing.Fuzz;

/// <summary>Shows generated values in failure messages: long texts cut, every character outside printable ASCII as <c>\uXXXX</c>.</summary>
public static class FuzzText
{
    public static string Describe(object? value)
    {
        if (value is not string text)
        {
            return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
        }

        var builder = new StringBuilder("\"");
        foreach (var c in text.Length <= 40 ? text : text[..40])
        {
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return builder.Append(text.Length <= 40 ? "\"" : $"…\" ({text.Length} chars)").ToString();
    }
}
