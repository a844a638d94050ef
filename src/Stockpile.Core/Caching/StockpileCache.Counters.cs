namespace Stockpile;

public sealed partial class StockpileCache
{
    /// <inheritdoc/>
    public ValueTask<long> IncrementAsync(string key, long delta = 1, CancellationToken cancellationToken = default) =>
        _tier.IncrementAsync(CheckKey(key), delta, cancellationToken);
}
