using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>Stampede protection on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheGetOrCreateTests() : StockpileCacheGetOrCreateContractTests(new MemoryCacheHost());
