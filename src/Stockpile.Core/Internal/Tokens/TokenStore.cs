namespace Stockpile.Internal.Tokens;

/// <summary>
/// Where invalidation tokens live: the shared tier (Redis when configured, the process memory otherwise). A token's
/// value is random: a token that is missing (never made, expired, or lost with the server's data) is made with a NEW
/// random value, so a key built from it can never equal one built before the loss.
/// </summary>
internal abstract class TokenStore
{
    /// <summary>
    /// Gets the value of each named token, making missing ones (atomically: of two concurrent makers, one value wins),
    /// in one round trip; <see langword="null"/> when the store cannot be reached (the caller degrades to a miss).
    /// </summary>
    public abstract ValueTask<string[]?> GetAsync(IReadOnlyList<string> names, CancellationToken cancellationToken);

    /// <summary>Gives each named token a new random value, in one round trip.</summary>
    /// <exception cref="Exception">The store could not be reached; the caller keeps the names to bump again.</exception>
    public abstract ValueTask BumpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>A new random token value: 128 bits, so a value never comes back.</summary>
    public static string NewValue() => Guid.NewGuid().ToString("N");
}
