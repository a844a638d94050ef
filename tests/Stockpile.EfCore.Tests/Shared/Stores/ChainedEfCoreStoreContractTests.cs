using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Contract;

namespace Stockpile.EfCore.Tests.Stores;

/// <summary>The chain memory → EF Core: the shape an application runs.</summary>
[TestFixture]
public sealed class ChainedEfCoreStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() =>
        new(new ChainedStore([new MemoryStore(), new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>())]));
}
