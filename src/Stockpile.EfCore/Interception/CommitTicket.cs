namespace Stockpile.Internal;

/// <summary>A commit's claim on the rows it touches, from before the commit until the caches are updated.</summary>
internal sealed class CommitTicket(long startedAt)
{
    /// <summary>Gets, per stripe, the stripe's start count right after this commit claimed it.</summary>
    public Dictionary<int, long> Claims { get; } = [];

    /// <summary>Gets or sets a value indicating whether another commit held one of the stripes when this one claimed it.</summary>
    public bool Contended { get; set; }

    public bool Ended { get; set; }

    public long StartedAt { get; } = startedAt;
}
