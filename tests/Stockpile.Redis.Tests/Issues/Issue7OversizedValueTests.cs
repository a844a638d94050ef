using StackExchange.Redis;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 7, item 13: a put of a value larger than Redis accepts (<c>proto-max-bulk-len</c>) was sent; Redis refused it
/// and closed the shared connection, failing unrelated requests in flight. The store now refuses values over
/// <see cref="RedisStoreOptions.MaximumValueBytes"/> before sending anything. A private server with
/// <c>proto-max-bulk-len</c> at its minimum (1 MB) keeps the test's memory small.
/// </summary>
[NonParallelizable]
public sealed class Issue7OversizedValueTests
{
    private const int Limit = 512 * 1024;
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await RedisServer.StartAsync(new RedisServerOptions { ExtraArguments = ["--proto-max-bulk-len", "1mb"] });
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(_server.ConnectionString));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task PutAsync_ValueOverTheLimit_ThrowsNamingTypeAndKey_AndConcurrentRequestsSurvive([Values] bool batch)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var store = TestStores.Create(_connection, o => o.MaximumValueBytes = Limit, factory);
        var bystander = TestStores.NewProduct();
        await store.PutAsync(bystander);
        var huge = TestStores.NewProduct(new string('x', 2 * 1024 * 1024));

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var reads = 0;
        var readers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || Volatile.Read(ref reads) < 200)
            {
                try
                {
                    if ((await store.GetAsync<Product, int>(bystander.Id))?.Name != bystander.Name)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        var ex = Assert.ThrowsAsync<RedisValueTooLargeException>(async () =>
        {
            if (batch)
            {
                await store.PutManyAsync([TestStores.NewProduct(), huge]);
            }
            else
            {
                await store.PutAsync(huge);
            }
        });
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Multiple(async () =>
        {
            Assert.That(ex!.EntityType, Is.EqualTo(typeof(Product)));
            Assert.That(ex.Key, Is.EqualTo(EntityKey.For<Product>(huge.Id)));
            Assert.That(ex.Size, Is.GreaterThan(2 * 1024 * 1024));
            Assert.That(ex.Limit, Is.EqualTo(Limit));
            Assert.That(ex.Message, Does.Contain(nameof(Product)).And.Contain(huge.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("MaximumValueBytes"));
            Assert.That(failures, Is.Zero, "no unrelated request failed");
            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
            Assert.That(await store.GetAsync<Product, int>(huge.Id), Is.Null, "nothing of the refused put was written");
            Assert.That(logs.Entries.Select(e => e.EventId.Name), Does.Contain("ValueTooLarge"));
            Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains(huge.Sku), "the key stays out of warnings");
        });
    }

    [Test]
    public void Options_MaximumValueBytesNotPositive_FailValidation()
    {
        var ex = Assert.ThrowsAsync<ArgumentException>(async () => await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = _server.ConnectionString, MaximumValueBytes = 0 }));
        Assert.That(ex!.Message, Does.Contain("MaximumValueBytes"));
    }
}
