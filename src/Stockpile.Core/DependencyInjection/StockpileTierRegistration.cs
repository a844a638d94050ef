namespace Stockpile;

/// <summary>One tier of the chain <c>AddStockpile</c> registers: tiers are chained in the order they were added.</summary>
/// <param name="Factory">Makes the tier's store.</param>
internal sealed record StockpileTierRegistration(Func<IServiceProvider, ObjectStore> Factory);
