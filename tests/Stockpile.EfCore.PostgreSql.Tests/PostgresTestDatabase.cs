using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Servers;

namespace Stockpile.EfCore.PostgreSql.Tests;

/// <summary>A database on the run's PostgreSQL server: the one <see cref="PostgresServer"/> created, or a fresh one on an external server.</summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private readonly PostgresServer _server;
    private readonly string _connectionString;

    private PostgresTestDatabase(PostgresServer server, string connectionString)
    {
        _server = server;
        _connectionString = connectionString;
    }

    public override string Provider => "PostgreSQL";

    /// <summary>A nondeterministic ICU collation that ignores case (created before the tables that use it).</summary>
    public override string CaseInsensitiveCollation => "stockpile_ci";

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = await PostgresServer.StartAsync();
        var connectionString = server.IsOwned ? server.ConnectionString : server.ConnectionStringFor($"stockpile_tests_{Guid.NewGuid():N}");
        var database = new PostgresTestDatabase(server, connectionString);
        await database.CreateSchemaAsync();
        return database;
    }

    public override void Configure(DbContextOptionsBuilder builder) => builder.UseNpgsql(_connectionString);

    protected override Task PrepareAsync(Type contextType) =>
        ExecuteAsync("CREATE COLLATION IF NOT EXISTS stockpile_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_server.IsOwned)
        {
            await using var context = Factory<TestDbContext>().CreateDbContext();
            await context.Database.EnsureDeletedAsync();
        }

        await _server.DisposeAsync();
    }
}
