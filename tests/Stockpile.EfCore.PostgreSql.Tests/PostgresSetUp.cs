using Stockpile.EfCore.PostgreSql.Tests;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests;

/// <summary>One PostgreSQL server and database for every test of the run; fails the run if PostgreSQL is missing.</summary>
[SetUpFixture]
public sealed class PostgresSetUp
{
    private PostgresTestDatabase? _database;

    [OneTimeSetUp]
    public async Task StartServer() => TestDatabase.Current = _database = await PostgresTestDatabase.CreateAsync();

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
