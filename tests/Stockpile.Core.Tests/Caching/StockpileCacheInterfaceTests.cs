using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>Reads through <see cref="IStockpileCache"/> on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheInterfaceTests() : StockpileCacheInterfaceContractTests(new MemoryCacheHost());
