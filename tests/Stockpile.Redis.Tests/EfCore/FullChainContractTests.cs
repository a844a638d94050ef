using Microsoft.EntityFrameworkCore;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>The shared store contract against the full chain: memory → Redis → EF Core on a SQLite file.</summary>
[TestFixture(false, TestName = "FullChainContractTests(server)")]
[TestFixture(true, TestName = "FullChainContractTests(cluster)")]
public sealed class FullChainContractTests(bool cluster) : RedisContractTests(cluster)
{
    private SqliteFileDatabase _database = null!;
    private IDbContextFactory<RowDbContext> _factory = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _database = await SqliteFileDatabase.CreateAsync();
        _factory = _database.CreateFactory();
    }

    [OneTimeTearDown]
    public async Task DropDatabaseAsync() => await _database.DisposeAsync();

    protected override ValueTask<ObjectStore> CreateStoreAsync() =>
        new(new ChainedStore([new MemoryStore(), TestStores.Create(Connection), new EfCoreStore<RowDbContext>(_factory, new EfCoreStoreOptions())]));
}
