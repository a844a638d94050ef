using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// The rows' database for one torture case: a fresh SQLite file, or a fresh database on the suite's PostgreSQL server.
/// Seeded with rows named <c>c0</c> (committed version 0).
/// </summary>
internal sealed class TortureDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SqliteFileDatabase? _sqlite;
    private readonly string? _postgres;

    private TortureDatabase(TortureDatabaseKind kind, SqliteFileDatabase? sqlite, string? postgres)
    {
        Kind = kind;
        _sqlite = sqlite;
        _postgres = postgres;
    }

    public TortureDatabaseKind Kind { get; }

    /// <summary>Gets a value indicating whether the provider enlists in a <see cref="System.Transactions.TransactionScope"/> (Npgsql does, SQLite does not).</summary>
    public bool SupportsTransactionScope => Kind == TortureDatabaseKind.PostgreSql;

    /// <summary>
    /// Enters a write. SQLite takes one writer at a time, and Microsoft.Data.Sqlite retries a busy database every
    /// 150 ms: the workload queues its SQLite writers itself instead (readers still run beside the writer, in its
    /// window between statements and commit). PostgreSQL writers run concurrently.
    /// </summary>
    public async Task<IDisposable?> EnterWriteAsync()
    {
        if (_sqlite is null)
        {
            return null;
        }

        await _writer.WaitAsync();
        return new Exit(_writer);
    }

    public static async Task<TortureDatabase> CreateAsync(TortureDatabaseKind kind, IEnumerable<int> ids)
    {
        var database = kind == TortureDatabaseKind.Sqlite
            ? new TortureDatabase(kind, await SqliteFileDatabase.CreateAsync(), null)
            : new TortureDatabase(kind, null, (await TortureSetUp.PostgresAsync()).ConnectionStringFor($"torture_{Guid.NewGuid():N}"));
        await using var context = database.CreateContext();
        if (kind == TortureDatabaseKind.PostgreSql)
        {
            await context.Database.EnsureCreatedAsync();
        }

        context.Rows.AddRange(ids.Select(id => new Row { Id = id, Code = $"R{id}", Name = TortureNames.Committed(0) }));
        await context.SaveChangesAsync();
        return database;
    }

    public void Configure(DbContextOptionsBuilder builder)
    {
        if (_sqlite is not null)
        {
            _sqlite.Configure(builder);
        }
        else
        {
            builder.UseNpgsql(_postgres);
        }
    }

    /// <summary>A context without the interceptor: what the database holds, seen from outside the app.</summary>
    public RowDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<RowDbContext>();
        Configure(builder);
        return new RowDbContext(builder.Options);
    }

    /// <summary>Reads every row's committed name.</summary>
    public async Task<Dictionary<int, string>> NamesAsync()
    {
        await using var context = CreateContext();
        return await context.Rows.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlite is not null)
        {
            await _sqlite.DisposeAsync();
            return;
        }

        await using (var connection = new NpgsqlConnection(_postgres))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await using var context = CreateContext();
        await context.Database.EnsureDeletedAsync();
    }

    private sealed class Exit(SemaphoreSlim writer) : IDisposable
    {
        public void Dispose() => writer.Release();
    }
}
