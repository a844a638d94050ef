using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stockpile.Testing.CrashApp;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// A database with <see cref="NoteDbContext"/>'s schema, the outbox table included, shared by the app instances of an
/// outbox test: a SQLite file (WAL) in a temporary folder, or a fresh database on a PostgreSQL server; and those
/// instances, registered as <see cref="OutboxApp"/> does.
/// </summary>
internal sealed class OutboxDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    private OutboxDatabase(string provider, string connectionString, string? folder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _folder = folder;
    }

    /// <summary>Gets <c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>Creates a SQLite database with notes 1..<paramref name="notes"/>, each text "old".</summary>
    public static Task<OutboxDatabase> CreateAsync(int notes) => CreateAsync(notes, null);

    /// <summary>Creates a database (on <paramref name="postgres"/>, or SQLite when <see langword="null"/>) with notes 1..<paramref name="notes"/>, each text "old".</summary>
    public static async Task<OutboxDatabase> CreateAsync(int notes, PostgresServer? postgres)
    {
        OutboxDatabase database;
        if (postgres is null)
        {
            var folder = Directory.CreateTempSubdirectory("stockpile-outbox-").FullName;
            database = new OutboxDatabase("sqlite", new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "notes.db"), DefaultTimeout = 60 }.ToString(), folder);
        }
        else
        {
            database = new OutboxDatabase("postgres", postgres.ConnectionStringFor($"outbox_{Guid.NewGuid():N}"), null);
        }

        await using var context = database.CreateContext();
        await context.Database.EnsureCreatedAsync();
        if (postgres is null)
        {
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        context.Notes.AddRange(Enumerable.Range(1, notes).Select(id => new Note { Id = id, Code = $"N{id}", Text = "old" }));
        await context.SaveChangesAsync();
        return database;
    }

    /// <summary>A context without the interceptor: the database seen from outside the app.</summary>
    public NoteDbContext CreateContext() => new(ContextOptions());

    /// <summary>The options of a context over this database, without the interceptor.</summary>
    public DbContextOptions<NoteDbContext> ContextOptions() => (DbContextOptions<NoteDbContext>)OutboxApp.UseDatabase(new DbContextOptionsBuilder<NoteDbContext>(), Provider, ConnectionString).Options;

    /// <summary>Builds one app instance (its hosted services not started: the test starts them, as a host would).</summary>
    public ServiceProvider Instance(string redis, string prefix, Action<StockpileOutboxOptions>? outbox = null, Action<RedisStoreOptions>? configureRedis = null, Stockpile.Testing.Logging.CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddMetrics();
        OutboxApp.Add(services, Provider, ConnectionString, redis, prefix, configureOutbox: outbox, configureRedis: configureRedis);
        services.AddHealthChecks().AddStockpileHealthChecks();
        return services.BuildServiceProvider();
    }

    /// <summary>Starts an instance's hosted services (the outbox's start-up drain), as a host does.</summary>
    public static async Task StartHostedAsync(IServiceProvider app)
    {
        foreach (var service in app.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public static async Task StopHostedAsync(IServiceProvider app)
    {
        foreach (var service in app.GetServices<IHostedService>())
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    public async Task<long> OutboxRowsAsync()
    {
        await using var context = CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"StockpileOutbox\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string> TextAsync(int id)
    {
        await using var context = CreateContext();
        return (await context.Notes.AsNoTracking().SingleAsync(n => n.Id == id)).Text;
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
            return;
        }

        await using var context = CreateContext();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await context.Database.EnsureDeletedAsync();
    }
}
