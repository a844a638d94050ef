namespace Stockpile;

/// <summary>The kinds of <see cref="ObjectLifetime"/>.</summary>
public enum ObjectLifetimeKind
{
    /// <summary>The store's default lifetime applies.</summary>
    Default,

    /// <summary>The object never expires.</summary>
    Never,

    /// <summary>The object expires a duration after it is stored.</summary>
    Relative,

    /// <summary>The object expires at a point in time.</summary>
    Absolute,
}
