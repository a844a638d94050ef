namespace Stockpile.Internal.Caching;

/// <summary>
/// Short locks on a shared tier, one per cache key, so that processes missing the same key run its factory about once
/// (<see cref="StockpileCacheOptions.DistributedStampedeLock"/>). A lock carries its holder's token and expires by
/// itself, so a holder that dies never blocks the others for longer than the expiration.
/// </summary>
internal interface ICacheLocks
{
    /// <summary>Takes the lock of <paramref name="key"/> for <paramref name="token"/> unless another holder has it; <see langword="true"/> when taken.</summary>
    ValueTask<bool> TryAcquireAsync(string key, string token, TimeSpan expiration, CancellationToken cancellationToken);

    /// <summary>Releases the lock of <paramref name="key"/> if <paramref name="token"/> still holds it (an expired lock taken by another is left alone).</summary>
    ValueTask ReleaseAsync(string key, string token, CancellationToken cancellationToken);
}
