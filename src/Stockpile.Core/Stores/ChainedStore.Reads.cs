using Microsoft.Extensions.Logging;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <inheritdoc/>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
    {
        if (!_topIsProcessLocal)
        {
            // A shared top tier is read inside the chain read, like the tiers below: what its read leaves for its
            // back-fill (a Redis lease) must reach it.
            return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 0, cancellationToken);
        }

        // A hit in the top tier that completes synchronously (the memory store) costs one extra call and no allocation.
        ValueTask<T?> top;
        try
        {
            top = _top.GetAsync<T, TKey>(primaryKey, cancellationToken);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not StockpileKeyException and not OperationCanceledException)
        {
            ReadFailed(0, ex);
            return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken);
        }

        if (!top.IsCompletedSuccessfully)
        {
            return AwaitTopAsync(top, primaryKey, cancellationToken);
        }

        if (top.Result is { } hit)
        {
            _metrics.Hit(_top.Name);
            return new ValueTask<T?>(hit);
        }

        _metrics.Miss(_top.Name);
        return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken);
    }

    private async ValueTask<T?> AwaitTopAsync<T, TKey>(ValueTask<T?> top, TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        T? value = null;
        try
        {
            value = await top.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
        {
            ReadFailed(0, ex);
        }

        if (value is not null)
        {
            _metrics.Hit(_top.Name);
            return value;
        }

        _metrics.Miss(_top.Name);
        return await ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        await ReadThroughAsync<object>(key, 0, cancellationToken).ConfigureAwait(false);

    private async ValueTask<T?> ReadThroughAsync<T>(EntityKey key, int fromTier, CancellationToken cancellationToken)
        where T : class
    {
        ChainRead.Begin();
        var epoch = EpochOf(key.EntityType);
        var captured = fromTier > 0 ? epoch.Capture() : -1;
        for (var i = fromTier; i < _tiers.Length; i++)
        {
            if (i == 1 && fromTier == 0)
            {
                // Captured before the first read below the top tier: a write that starts after this can be detected.
                captured = epoch.Capture();
            }

            var value = await ReadTierAsync(i, key, cancellationToken).ConfigureAwait(false);
            if (value is T typed && key.EntityType.ClrType.IsInstanceOfType(value))
            {
                _metrics.Hit(_tiers[i].Name);
                if (i > 0)
                {
                    await BackfillAsync([value], i, [(epoch, captured)], cancellationToken).ConfigureAwait(false);
                }

                return typed;
            }

            _metrics.Miss(_tiers[i].Name);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Miss(_logger, key.Encode());
        }

        return null;
    }

    private async ValueTask<object?> ReadTierAsync(int tier, EntityKey key, CancellationToken cancellationToken)
    {
        try
        {
            return await _tiers[tier].GetUntypedAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCache(tier) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
        {
            ReadFailed(tier, ex);
            return null;
        }
    }

    private void ReadFailed(int tier, Exception exception)
    {
        _metrics.Error(_tiers[tier].Name, "get");
        Log.TierReadFailed(_logger, _tiers[tier].Name, exception);
    }
}
