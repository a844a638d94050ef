using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Sqlite;

/// <summary>A SQLite file in a temporary folder, in WAL mode so readers and one writer run side by side.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _folder;
    private readonly string _connectionString;

    private SqliteTestDatabase(string folder)
    {
        _folder = folder;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "stockpile.db"), DefaultTimeout = 60 }.ToString();
    }

    public override string Provider => "SQLite";

    public override string CaseInsensitiveCollation => "NOCASE";

    public static async Task<SqliteTestDatabase> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("stockpile-sqlite-").FullName;
        var database = new SqliteTestDatabase(folder);
        await database.CreateSchemaAsync();
        await database.ExecuteAsync("PRAGMA journal_mode=WAL;");
        return database;
    }

    public override void Configure(DbContextOptionsBuilder builder) => builder.UseSqlite(_connectionString);

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return default;
    }
}
