using Stockpile.EfCore.PostgreSql.Tests;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests;

/// <summary>One PostgreSQL server and database for every test of the run; fails the run if PostgreSQL is missing.</summary>
[SetUpFixture]
public sealed class PostgresSetUp : DatabaseSetUp
{
    protected override async Task<TestDatabase> CreateAsync() => await PostgresTestDatabase.CreateAsync();
}
