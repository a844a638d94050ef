using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>One test database for the whole run, on whichever provider the test project uses.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    private static TestDatabase? s_current;

    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly HashSet<Type> _created = [];

    /// <summary>Gets or sets the database of this run, set by the test project's set-up fixture.</summary>
    public static TestDatabase Current
    {
        get => s_current ?? throw new InvalidOperationException("No test database: the project's [SetUpFixture] did not run.");
        set => s_current = value;
    }

    /// <summary>Gets the provider's name, for messages.</summary>
    public abstract string Provider { get; }

    /// <summary>Points an options builder at this database.</summary>
    public abstract void Configure(DbContextOptionsBuilder builder);

    /// <summary>Options for a context type, with extra interceptors.</summary>
    public DbContextOptions<TContext> Options<TContext>(params IInterceptor[] interceptors)
        where TContext : DbContext =>
        Options<TContext>(b => b.AddInterceptors(interceptors));

    /// <summary>Options for a context type, configured further by the caller (the Stockpile interceptor, say).</summary>
    public DbContextOptions<TContext> Options<TContext>(Action<DbContextOptionsBuilder> configure)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        Configure(builder);
        configure(builder);
        return builder.Options;
    }

    /// <summary>A factory of contexts over this database.</summary>
    public TestContextFactory<TContext> Factory<TContext>(params IInterceptor[] interceptors)
        where TContext : DbContext =>
        new(Options<TContext>(interceptors));

    /// <summary>A factory of contexts over this database, configured further by the caller.</summary>
    public TestContextFactory<TContext> Factory<TContext>(Action<DbContextOptionsBuilder> configure)
        where TContext : DbContext =>
        new(Options<TContext>(configure));

    /// <summary>Runs a statement straight on the database, bypassing every Stockpile hook.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var context = Factory<TestDbContext>().CreateDbContext();
        await context.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>Creates the tables of another context's model in this database, once per run.</summary>
    public async Task EnsureTablesAsync<TContext>()
        where TContext : DbContext
    {
        await _schemaLock.WaitAsync();
        try
        {
            if (_created.Add(typeof(TContext)))
            {
                await PrepareAsync(typeof(TContext));
                await using var context = Factory<TContext>().CreateDbContext();
                await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>Gets the name of a case-insensitive collation of this provider, for columns that compare text the way SQL Server does by default.</summary>
    public abstract string CaseInsensitiveCollation { get; }

    public abstract ValueTask DisposeAsync();

    /// <summary>Runs what a context's tables need first (a collation, say).</summary>
    protected virtual Task PrepareAsync(Type contextType) => Task.CompletedTask;

    /// <summary>Creates the schema: every table of <see cref="TestDbContext"/>, and Gadgets without its unique index.</summary>
    protected async Task CreateSchemaAsync()
    {
        await using var context = Factory<TestDbContext>().CreateDbContext();
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("CREATE TABLE \"Gadgets\" (\"Id\" integer NOT NULL PRIMARY KEY, \"Code\" text NOT NULL)");
    }
}
