namespace Stockpile;

/// <summary>How the Redis store names the type in its keys (<see cref="RedisStoreOptions.KeyLayout"/>).</summary>
public enum RedisKeyLayout
{
    /// <summary>
    /// The type's short token: its <see cref="StockpileTypeAttribute"/> name when it pins one, otherwise 11 characters
    /// of a hash of its full name (<c>stockpile:{a1B2c3D4e5F|Id|i:42}</c>). The same in every process and on every
    /// machine; two types of one process never share one (the second is refused when first used).
    /// </summary>
    Compact,

    /// <summary>
    /// The type's full canonical name, as the store wrote every key before <see cref="Compact"/> (builds before it; no
    /// release shipped it) (<c>stockpile:{Shop.Product@Shop|Id|i:42}</c>): for a fleet that must keep reading what those builds cached.
    /// </summary>
    FullTypeNames,
}
