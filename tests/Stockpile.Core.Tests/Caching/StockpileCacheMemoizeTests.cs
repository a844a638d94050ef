using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>Memoized functions on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheMemoizeTests() : StockpileCacheMemoizeContractTests(new MemoryCacheHost());
