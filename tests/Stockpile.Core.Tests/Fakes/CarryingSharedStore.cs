namespace Stockpile.Tests.Fakes;

/// <summary>
/// A shared cache tier that, like the Redis store with the Redis backplane, can send a chain invalidation's message
/// with its delete (or decline to): records when it was asked, and what the other tiers still held at that moment.
/// </summary>
public sealed class CarryingSharedStore(ObjectStore inner, bool carries, Func<EntityKey, bool>? heldElsewhere = null) : DelegatingStore(inner)
{
    public override bool IsProcessLocal => false;

    /// <summary>Gets how many times the chain asked this tier to carry its message.</summary>
    public int Asked { get; private set; }

    /// <summary>Gets whether, when this tier published, a tier the chain deleted before it still held a key.</summary>
    public bool PublishedBeforeOthersDeleted { get; private set; }

    internal override async ValueTask<bool> DeleteManyAndPublishForChainAsync(IReadOnlyList<EntityKey> keys, IStockpileBackplane backplane, CancellationToken cancellationToken)
    {
        Asked++;
        await DeleteManyUntypedAsync(keys, cancellationToken);
        if (!carries)
        {
            return false;
        }

        PublishedBeforeOthersDeleted |= heldElsewhere is not null && keys.Any(heldElsewhere);
        await backplane.PublishEvictAsync(keys, cancellationToken);
        return true;
    }
}
