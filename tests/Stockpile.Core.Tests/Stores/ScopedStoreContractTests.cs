using Stockpile.Testing.Contract;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ScopedStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new ScopedStore());
}
