namespace Stockpile.Tests.Fakes;

/// <summary>A store that plays the database: the source of truth, shared by every app instance (not process-local).</summary>
public sealed class SourceOfTruthStore : DelegatingStore
{
    public SourceOfTruthStore(ObjectStore inner, string? name = null)
        : base(inner, name)
    {
    }

    public override bool IsSourceOfTruth => true;

    public override bool IsProcessLocal => false;
}
