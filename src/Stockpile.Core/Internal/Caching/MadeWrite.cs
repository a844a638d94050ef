namespace Stockpile.Internal.Caching;

/// <summary>How a made value's write to a shared tier ended (<see cref="CacheTier.SetUnlessWrittenSinceAsync"/>).</summary>
internal enum MadeWrite
{
    /// <summary>Refused: the key was written since the read that gave the mark; the later write stands.</summary>
    Refused,

    /// <summary>Stored (or skipped as stored while the tier is unavailable); the caller announces it to the other instances.</summary>
    Stored,

    /// <summary>Stored, and announced to the other instances by the same call.</summary>
    Announced,
}
