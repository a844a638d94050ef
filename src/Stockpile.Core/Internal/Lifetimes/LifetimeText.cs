using System.Globalization;

namespace Stockpile.Internal.Lifetimes;

/// <summary>The one reader of lifetimes written as text (configuration): <c>"5 sec"</c>, <c>"2 hours"</c>, <c>"00:05:00"</c>, <c>"0"</c>.</summary>
internal static class LifetimeText
{
    private static readonly Dictionary<string, TimeSpan> s_units = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ms"] = TimeSpan.FromMilliseconds(1),
        ["msec"] = TimeSpan.FromMilliseconds(1),
        ["millisecond"] = TimeSpan.FromMilliseconds(1),
        ["milliseconds"] = TimeSpan.FromMilliseconds(1),
        ["s"] = TimeSpan.FromSeconds(1),
        ["sec"] = TimeSpan.FromSeconds(1),
        ["secs"] = TimeSpan.FromSeconds(1),
        ["second"] = TimeSpan.FromSeconds(1),
        ["seconds"] = TimeSpan.FromSeconds(1),
        ["m"] = TimeSpan.FromMinutes(1),
        ["min"] = TimeSpan.FromMinutes(1),
        ["mins"] = TimeSpan.FromMinutes(1),
        ["minute"] = TimeSpan.FromMinutes(1),
        ["minutes"] = TimeSpan.FromMinutes(1),
        ["h"] = TimeSpan.FromHours(1),
        ["hr"] = TimeSpan.FromHours(1),
        ["hrs"] = TimeSpan.FromHours(1),
        ["hour"] = TimeSpan.FromHours(1),
        ["hours"] = TimeSpan.FromHours(1),
        ["d"] = TimeSpan.FromDays(1),
        ["day"] = TimeSpan.FromDays(1),
        ["days"] = TimeSpan.FromDays(1),
        ["w"] = TimeSpan.FromDays(7),
        ["week"] = TimeSpan.FromDays(7),
        ["weeks"] = TimeSpan.FromDays(7),
    };

    /// <summary>Reads the text; on failure, <paramref name="reason"/> says why (for the caller's message).</summary>
    public static bool TryParse(string text, out ObjectLifetime lifetime, out string reason)
    {
        lifetime = ObjectLifetime.Default;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            reason = "it is empty";
            return false;
        }

        if (trimmed is "0" || trimmed.Equals("never", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("forever", StringComparison.OrdinalIgnoreCase))
        {
            lifetime = ObjectLifetime.Never;
            reason = string.Empty;
            return true;
        }

        TimeSpan duration;
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            if (!TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration))
            {
                reason = "it has colons but is not a TimeSpan such as \"00:05:00\" or \"1.02:00:00\"";
                return false;
            }
        }
        else if (!TryParseWithUnit(trimmed, out duration, out reason))
        {
            return false;
        }

        if (duration < TimeSpan.Zero)
        {
            reason = "a lifetime cannot be negative";
            return false;
        }

        lifetime = duration == TimeSpan.Zero ? ObjectLifetime.Never : ObjectLifetime.For(duration);
        reason = string.Empty;
        return true;
    }

    /// <summary>The lifetime as a cache expiration: <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    public static TimeSpan ToExpiration(ObjectLifetime lifetime) =>
        lifetime.Kind == ObjectLifetimeKind.Never ? Timeout.InfiniteTimeSpan : lifetime.Duration;

    private static bool TryParseWithUnit(string text, out TimeSpan duration, out string reason)
    {
        duration = default;
        var split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] is '.' or '-' or '+'))
        {
            split++;
        }

        var number = text.AsSpan(0, split);
        var unit = text.AsSpan(split).Trim();
        if (number.IsEmpty || !double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count))
        {
            reason = "it does not start with a number (write e.g. \"5 sec\", \"2 hours\", \"1 day\", \"00:05:00\" or \"0\" for never)";
            return false;
        }

        if (unit.IsEmpty)
        {
            reason = "a number other than 0 needs a unit (ms, sec, min, hours, days, weeks)";
            return false;
        }

        if (!s_units.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(unit, out var one))
        {
            reason = $"'{unit.ToString()}' is not a unit (ms, sec, min, hours, days, weeks)";
            return false;
        }

        var ticks = count * one.Ticks;
        if (double.IsNaN(ticks) || ticks >= TimeSpan.MaxValue.Ticks || ticks <= TimeSpan.MinValue.Ticks)
        {
            reason = "it is too long for a TimeSpan";
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        reason = string.Empty;
        return true;
    }
}
