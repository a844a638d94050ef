using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>
/// The set-up of the background back-fill tests (issue 12): a chain of memory, Redis and a fake database that
/// back-fills Redis after the read returns, and a second Redis store under the same prefix on a plain connection
/// (another instance, or a look at what Redis holds without the chain's memory).
/// </summary>
internal sealed class BackgroundBackfillChain : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private BackgroundBackfillChain(ConnectionMultiplexer connection, FaultyRedis? faulty, RedisStore other, RedisStore redis)
    {
        _connection = connection;
        Faulty = faulty;
        Other = other;
        Redis = redis;
        Chain = new ChainedStore([Memory, redis, Database], new ChainedStoreOptions { BackfillSharedTiersInBackground = true });
    }

    /// <summary>Gets what the chain's Redis store sends through (held or failed on demand); <see langword="null"/> when it uses the plain connection.</summary>
    public FaultyRedis? Faulty { get; }

    /// <summary>Gets the chain's own Redis store.</summary>
    public RedisStore Redis { get; }

    /// <summary>Gets another Redis store under the same prefix, on the plain connection.</summary>
    public RedisStore Other { get; }

    public MemoryStore Memory { get; } = new();

    public FakeDatabase Database { get; } = new();

    public ChainedStore Chain { get; }

    /// <summary>Connects to the shared server and builds the chain, warmed up (<see cref="WarmUpAsync"/>).</summary>
    /// <param name="throughFaulty">Whether the chain's Redis store sends through a <see cref="FaultyRedis"/>.</param>
    /// <param name="loggerFactory">Where the chain's Redis store logs.</param>
    public static async Task<BackgroundBackfillChain> StartAsync(bool throughFaulty = true, ILoggerFactory? loggerFactory = null)
    {
        var connection = await RedisTestEnvironment.ConnectAsync();
        var faulty = throughFaulty ? new FaultyRedis(connection) : null;
        var prefix = TestStores.UniquePrefix();
        var other = TestStores.Create(connection, o => o.KeyPrefix = prefix);
        var redis = faulty is null
            ? TestStores.Create(connection, o => o.KeyPrefix = prefix, loggerFactory)
            : TestStores.Create(faulty, o => o.KeyPrefix = prefix, loggerFactory);
        var made = new BackgroundBackfillChain(connection, faulty, other, redis);
        try
        {
            await made.WarmUpAsync();
            return made;
        }
        catch
        {
            await made.DisposeAsync();
            throw;
        }
    }

    /// <summary>Puts a new product in the database only.</summary>
    public async Task<Product> SeedAsync(string name)
    {
        var product = TestStores.NewProduct(name);
        await Database.PutAsync(product);
        return product;
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Other.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>A first miss and back-fill: the store's first call does its own work first (a script), and the put script is loaded.</summary>
    private async Task WarmUpAsync()
    {
        var warm = await SeedAsync("warm");
        Assert.That((await Chain.GetAsync<Product, int>(warm.Id))?.Name, Is.EqualTo("warm"));
        Assert.That(await Chain.SettleAsync(default), Is.True);
    }
}
