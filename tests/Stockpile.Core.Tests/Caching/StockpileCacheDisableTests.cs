using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>Disable scopes on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheDisableTests() : StockpileCacheDisableContractTests(new MemoryCacheHost());
