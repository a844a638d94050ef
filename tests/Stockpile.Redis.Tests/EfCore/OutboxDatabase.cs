using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Testing.CrashApp;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// A SQLite file (WAL) with <see cref="NoteDbContext"/>'s schema, the outbox table included, shared by the app
/// instances of an outbox test; and those instances, registered as <see cref="OutboxApp"/> does.
/// </summary>
internal sealed class OutboxDatabase : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stockpile-outbox-").FullName;

    private OutboxDatabase()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "notes.db"), DefaultTimeout = 60 }.ToString();
    }

    public string ConnectionString { get; }

    /// <summary>Creates the database with notes 1..<paramref name="notes"/>, each text "old".</summary>
    public static async Task<OutboxDatabase> CreateAsync(int notes)
    {
        var database = new OutboxDatabase();
        await using var context = database.CreateContext();
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        context.Notes.AddRange(Enumerable.Range(1, notes).Select(id => new Note { Id = id, Code = $"N{id}", Text = "old" }));
        await context.SaveChangesAsync();
        return database;
    }

    /// <summary>A context without the interceptor: the database seen from outside the app.</summary>
    public NoteDbContext CreateContext() => new(new DbContextOptionsBuilder<NoteDbContext>().UseSqlite(ConnectionString).Options);

    /// <summary>Builds one app instance (its hosted services not started: the test starts them, as a host would).</summary>
    public ServiceProvider Instance(string redis, string prefix, Action<StockpileOutboxOptions>? outbox = null, Action<RedisStoreOptions>? configureRedis = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        OutboxApp.Add(services, ConnectionString, redis, prefix, configureOutbox: outbox, configureRedis: configureRedis);
        services.AddHealthChecks().AddStockpileHealthChecks();
        return services.BuildServiceProvider();
    }

    public async Task<long> OutboxRowsAsync()
    {
        await using var context = CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM StockpileOutbox";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string> TextAsync(int id)
    {
        await using var context = CreateContext();
        return (await context.Notes.AsNoTracking().SingleAsync(n => n.Id == id)).Text;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return default;
    }
}
