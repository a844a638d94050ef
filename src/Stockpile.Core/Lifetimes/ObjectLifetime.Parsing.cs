using Stockpile.Internal.Lifetimes;

namespace Stockpile;

public readonly partial record struct ObjectLifetime
{
    /// <summary>
    /// Reads a lifetime written as text, as configuration files hold it: a number and a unit (<c>"5 sec"</c>,
    /// <c>"2 hours"</c>, <c>"1 day"</c>, <c>"1.5 h"</c>, <c>"250ms"</c>), a <see cref="TimeSpan"/> with colons
    /// (<c>"00:05:00"</c>, <c>"1.02:00:00"</c>), or <c>"0"</c> (also <c>"never"</c>, <c>"forever"</c>, or any zero
    /// duration) for <see cref="Never"/>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>A <see cref="ObjectLifetimeKind.Relative"/> lifetime, or <see cref="Never"/>.</returns>
    /// <remarks>
    /// Units (case-insensitive, singular or plural): <c>ms</c>/<c>millisecond</c>, <c>s</c>/<c>sec</c>/<c>second</c>,
    /// <c>m</c>/<c>min</c>/<c>minute</c>, <c>h</c>/<c>hr</c>/<c>hour</c>, <c>d</c>/<c>day</c>, <c>w</c>/<c>week</c>.
    /// A bare number other than 0 is refused: it names no unit (<see cref="TimeSpan.Parse(string)"/> would read
    /// <c>"5"</c> as five days).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not a lifetime, or is negative; the message quotes it.</exception>
    public static ObjectLifetime Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return LifetimeText.TryParse(text, out var lifetime, out var reason)
            ? lifetime
            : throw new FormatException(Internal.ExceptionMessages.Lifetime(text, reason));
    }

    /// <summary>Reads a lifetime written as text (see <see cref="Parse(string)"/>), without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="lifetime">The lifetime read; <see cref="Default"/> when the text is not one.</param>
    /// <returns><see langword="true"/> when the text is a lifetime.</returns>
    public static bool TryParse(string? text, out ObjectLifetime lifetime)
    {
        if (text is null)
        {
            lifetime = Default;
            return false;
        }

        return LifetimeText.TryParse(text, out lifetime, out _);
    }
}
