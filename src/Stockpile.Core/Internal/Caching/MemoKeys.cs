using Stockpile.Internal.Keys;

namespace Stockpile.Internal.Caching;

/// <summary>
/// The key of one memoized call: <c>memo:</c>, then the canonical key encoding of the function's name and its
/// arguments. The encoding is injective and process-independent, so two functions or two argument lists never share a
/// key, and every process computes the same key for the same call.
/// </summary>
internal static class MemoKeys
{
    public static string For(string function, params ReadOnlySpan<object?> arguments)
    {
        var values = new object[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            if (argument is null || !KeyValueTypes.IsSupported(argument.GetType()))
            {
                throw new ArgumentException(
                    $"Memoized function '{function}': argument #{i + 1} is {(argument is null ? "null" : $"a '{argument.GetType().Name}'")}, which cannot be part of a cache key. Supported: integers, string, Guid, enums, bool, char, decimal, DateTime, DateTimeOffset, DateOnly, TimeOnly.",
                    nameof(arguments));
            }

            values[i] = argument;
        }

        return "memo:" + CanonicalKeyEncoder.Encode(function, "args", values);
    }
}
