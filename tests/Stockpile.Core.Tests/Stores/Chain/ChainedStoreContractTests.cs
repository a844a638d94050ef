using Stockpile.Testing.Contract;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() =>
        new(new ChainedStore([new MemoryStore(new() { Name = "l1" }), new MemoryStore(new() { Name = "l2", CopyObjects = true })]));
}
