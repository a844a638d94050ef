using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>A SQLite file in a fresh temporary folder (WAL mode, so readers and a writer run side by side), shared by the app instances of a test.</summary>
internal sealed class SqliteFileDatabase : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stockpile-redis-").FullName;

    private SqliteFileDatabase()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "rows.db"), DefaultTimeout = 60 }.ToString();
    }

    public string ConnectionString { get; }

    public static async Task<SqliteFileDatabase> CreateAsync()
    {
        var database = new SqliteFileDatabase();
        await using var context = database.CreateContext();
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return database;
    }

    public void Configure(DbContextOptionsBuilder builder) => builder.UseSqlite(ConnectionString);

    /// <summary>A context without the interceptor: what the database holds, seen from outside the app.</summary>
    public RowDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<RowDbContext>();
        Configure(builder);
        return new RowDbContext(builder.Options);
    }

    public IDbContextFactory<RowDbContext> CreateFactory()
    {
        var builder = new DbContextOptionsBuilder<RowDbContext>();
        Configure(builder);
        return new PooledDbContextFactory<RowDbContext>(builder.Options);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return default;
    }
}
