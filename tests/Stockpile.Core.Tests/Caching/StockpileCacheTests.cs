using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>The cache-manager operations on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheTests() : StockpileCacheContractTests(new MemoryCacheHost());
