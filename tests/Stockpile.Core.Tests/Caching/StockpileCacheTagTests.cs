using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>Generational tags on the memory tier.</summary>
[TestFixture]
public sealed class StockpileCacheTagTests() : StockpileCacheTagContractTests(new MemoryCacheHost());
