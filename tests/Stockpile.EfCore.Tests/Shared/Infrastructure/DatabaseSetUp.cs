namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Makes the run's database before any test and removes it after the last; each provider's project derives its [SetUpFixture] from it.</summary>
public abstract class DatabaseSetUp
{
    private TestDatabase? _database;

    [OneTimeSetUp]
    public async Task CreateDatabase() => TestDatabase.Current = _database = await CreateAsync();

    [OneTimeTearDown]
    public async Task DeleteDatabase()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected abstract Task<TestDatabase> CreateAsync();
}
