namespace Stockpile.Tests.Fakes;

/// <summary>A store that plays a distributed cache (Redis): a cache, but shared by every app instance (not process-local).</summary>
public sealed class SharedCacheStore : DelegatingStore
{
    public SharedCacheStore(ObjectStore inner, string? name = null)
        : base(inner, name)
    {
    }

    public override bool IsProcessLocal => false;
}
