namespace Stockpile;

/// <summary>What <see cref="StockpileOptions.Entity{T}"/> declares about an entity type.</summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed class StockpileEntityOptions<T>
    where T : class
{
    internal StockpileEntityOptions()
    {
    }

    /// <summary>Declares the type's tags (see <see cref="StockpileEntityTags.Register{T}(Func{T, IEnumerable{string}?})"/>): process-wide, like its keys.</summary>
    /// <param name="selector">Returns an entity's tags; <see langword="null"/> or empty for none.</param>
    /// <returns>These declarations, to chain.</returns>
    public StockpileEntityOptions<T> Tags(Func<T, IEnumerable<string>?> selector)
    {
        StockpileEntityTags.Register(selector);
        return this;
    }
}
