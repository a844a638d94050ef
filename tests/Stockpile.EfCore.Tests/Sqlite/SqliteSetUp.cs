using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Sqlite;

namespace Stockpile.EfCore.Tests;

/// <summary>One SQLite database for every test of the run.</summary>
[SetUpFixture]
public sealed class SqliteSetUp
{
    private SqliteTestDatabase? _database;

    [OneTimeSetUp]
    public async Task CreateDatabase() => TestDatabase.Current = _database = await SqliteTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public async Task DeleteDatabase()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
