using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Sqlite;

namespace Stockpile.EfCore.Tests;

/// <summary>One SQLite database for every test of the run.</summary>
[SetUpFixture]
public sealed class SqliteSetUp : DatabaseSetUp
{
    protected override async Task<TestDatabase> CreateAsync() => await SqliteTestDatabase.CreateAsync();
}
