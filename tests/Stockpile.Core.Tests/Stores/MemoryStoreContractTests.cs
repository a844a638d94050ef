using Stockpile.Testing.Contract;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class MemoryStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new MemoryStore());
}

[TestFixture]
public sealed class MemoryStoreCopyingContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new MemoryStore(new MemoryStoreOptions { CopyObjects = true }));
}
