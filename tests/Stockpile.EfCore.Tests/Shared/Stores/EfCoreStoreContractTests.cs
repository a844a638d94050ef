using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Contract;

namespace Stockpile.EfCore.Tests.Stores;

[TestFixture]
public sealed class EfCoreStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() =>
        new(new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>()));
}
