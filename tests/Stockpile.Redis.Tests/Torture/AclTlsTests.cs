using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Issue 12, torture case 8: an ACL user allowed only the application's key pattern and channel pattern
/// (<c>~app:* &amp;app:* +@all</c>), with and without TLS on a certificate made at test time. The store, the backplane,
/// leases, entity tags, clears, the cache tier with its stampede lock and backplane, and the invalidation tokens all
/// work under that user, for every way of naming the server (URL, configuration string, ConfigurationOptions); the
/// server's <c>ACL LOG</c> records no refused key, channel or command; and no password appears in any log line or
/// exception text, on success or with a wrong password. On a Redis Cluster of its own (three masters, the default user
/// behind a password, so a failed login never falls back to it) every node has the user, and every node's
/// <c>ACL LOG</c> must stay empty.
/// </summary>
/// <param name="tls">Whether the server listens with TLS only.</param>
/// <param name="cluster">Whether the tests run on a three-master cluster instead of one server.</param>
[TestFixture(false, false)]
[TestFixture(true, false)]
[TestFixture(false, true)]
[Category("Torture")]
[NonParallelizable]
public sealed class AclTlsTests(bool tls, bool cluster)
{
    private const string User = "app";
    private const string Password = "Acl-S3cret-7f3c9e";
    private const string AdminPassword = "Admin-S3cret-41d2a8";
    private const string WrongPassword = "Wrong-S3cret-0b6e5d";
    private const string AllowedPrefix = "app:";

    // A connect waits for the server's answer to the login (refused or not) for up to this long.
    private const int ConnectTimeoutMs = 1000;
    private const int CallTimeoutMs = 1000;

    // With a wrong password nothing ever connects, so each call waits in StackExchange.Redis's backlog for the whole
    // timeout before it fails (five of them per test; syncTimeout bounds the backlog of async calls too): a short wait
    // changes nothing but the time.
    private const int WrongPasswordCallTimeoutMs = 200;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private static readonly string[] s_rules = ["~" + AllowedPrefix + "*", "&" + AllowedPrefix + "*", "+@all"];

    private RedisServer? _server;
    private RedisCluster? _cluster;
    private ConnectionMultiplexer _admin = null!;
    private int _port;

    /// <summary>How a test names the server.</summary>
    public enum Form
    {
        Url,
        ConfigurationString,
        ConfigurationOptions,
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var security = new RedisServerOptions
        {
            Tls = tls,
            Password = AdminPassword,
            AclUser = User,
            AclPassword = Password,
            AclRules = s_rules,
        };
        if (cluster)
        {
            _cluster = await RedisCluster.StartAsync(TimeSpan.FromSeconds(5), security);
            _port = _cluster.Nodes[0].Port;
            _admin = await ConnectionMultiplexer.ConnectAsync(_cluster.ConnectionString + ",allowAdmin=true,password=" + AdminPassword);
            return;
        }

        _server = await RedisServer.StartAsync(security);
        _port = _server.Port;
        var admin = RedisConfiguration.Parse(_server.ConnectionString);
        admin.AllowAdmin = true;
        admin.CertificateValidation += _server.IsOwnCertificate;
        _admin = await ConnectionMultiplexer.ConnectAsync(admin);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _admin.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Empties the ACL log of the server (of every cluster node).</summary>
    [SetUp]
    public async Task ResetAclLogAsync()
    {
        foreach (var node in Nodes())
        {
            await node.ExecuteAsync("ACL", "LOG", "RESET");
        }
    }

    [Test]
    public async Task RestrictedUser_KeyOrChannelOutsideItsPattern_IsRefused()
    {
        var options = Options(Form.ConfigurationOptions, Password, CallTimeoutMs);
        options.TieBreaker = string.Empty; // the package's own key and channel are not the point here
        options.ConfigurationChannel = string.Empty;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var database = connection.GetDatabase();

        await database.StringSetAsync(AllowedPrefix + "probe", "ok");
        var key = Assert.ThrowsAsync<RedisServerException>(async () => await database.StringSetAsync("other:probe", "no"));
        var channel = Assert.ThrowsAsync<RedisServerException>(async () => await database.ExecuteAsync("PUBLISH", "other:channel", "no"));

        Assert.That(key!.Message, Does.Contain("NOPERM"), "the user is restricted to its keys: the tests below have teeth");
        Assert.That(channel!.Message, Does.Contain("NOPERM"), "and to its channels");
        Assert.That(await AclLogAsync(), Is.EquivalentTo(new[] { "key other:probe", "channel other:channel" }), "the ACL log records each refusal");
    }

    [TestCase(Form.Url)]
    [TestCase(Form.ConfigurationString)]
    [TestCase(Form.ConfigurationOptions)]
    public async Task EveryFeature_UnderRestrictedUser_Works_NothingRefused_NoPasswordLogged(Form form)
    {
        var prefix = $"{AllowedPrefix}{Guid.NewGuid():N}:";
        var database = new FakeDatabase();
        await using var a = await StartAppAsync(o => Connect(o, form, Password), prefix, database);
        await using var b = await StartAppAsync(o => Connect(o, form, Password), prefix, database);

        await ExerciseStoreAsync(a, b, database);
        await ExerciseCacheAsync(a, b, prefix);
        await ExerciseTokensAsync(a, b);

        Assert.Multiple(async () =>
        {
            Assert.That(await AclLogAsync(), Is.Empty, "no key, channel or command outside the user's patterns was tried");
            foreach (var app in new[] { a, b })
            {
                Assert.That(app.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.ToString()), Is.Empty, "nothing failed");
                AssertNoSecret(app.Logs.Entries.Select(e => e.ToString()));
            }
        });
    }

    [TestCase(Form.Url)]
    [TestCase(Form.ConfigurationString)]
    [TestCase(Form.ConfigurationOptions)]
    public async Task WrongPassword_EveryFeatureFails_WithoutAPasswordInAnyLogOrException(Form form)
    {
        var prefix = $"{AllowedPrefix}{Guid.NewGuid():N}:";
        var database = new FakeDatabase();
        await using var app = await StartAppAsync(
            o =>
            {
                Connect(o, form, WrongPassword, WrongPasswordCallTimeoutMs);
                o.ThrowOnUnavailableWrites = true;
            },
            prefix,
            database);
        var failures = new List<Exception>();
        var product = TestStores.NewProduct();

        failures.Add(Assert.CatchAsync(async () => await app.Redis.PutAsync(product))!);
        failures.Add(Assert.CatchAsync(async () => await Cache(app).SetAsync("k", "v"))!);
        await app.Chain.GetAsync<Product, int>(product.Id); // a read falls through to the database, and logs

        Assert.Multiple(() =>
        {
            AssertNoSecret(failures.Select(e => e.ToString()));
            AssertNoSecret(app.Logs.Entries.Select(e => e.ToString()));
            Assert.That(app.Logs.Entries, Is.Not.Empty, "the failures were logged (and the log lines checked)");
        });
    }

    /// <summary>The entity store: back-fill under a lease, the backplane, alternate keys, deletes, tags and clears.</summary>
    private static async Task ExerciseStoreAsync(AppInstance a, AppInstance b, FakeDatabase database)
    {
        var product = TestStores.NewProduct();
        await database.PutAsync(product);
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "read from the database");
        Assert.That(await b.Chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer");
        Assert.That(await b.Redis.GetAsync<Product, int>(product.Id), Is.Not.Null, "back-filled into Redis under its lease");

        await a.Chain.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "changed" });
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Product, int>(product.Id))?.Name == "changed", s_bound);
        Assert.That((await a.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Id, Is.EqualTo(product.Id));

        await a.Chain.DeleteAsync(product);
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Memory.GetAsync<Product, int>(product.Id) is null, s_bound);
        Assert.That(await b.Redis.GetAsync<Product, int>(product.Id), Is.Null);

        var tenant = TestStores.NextId();
        var order = new TenantOrder { Id = TestStores.NextId(), Number = $"N-{tenant}", TenantId = tenant, Note = "v1" };
        await a.Chain.PutAsync(order);
        Assert.That(await b.Chain.GetAsync<TenantOrder, int>(order.Id), Is.Not.Null);
        await a.Chain.RemoveByTagAsync($"tenant:{tenant}");
        Assert.That(await a.Redis.GetAsync<TenantOrder, int>(order.Id), Is.Null, "the tag removed it from Redis");
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Memory.GetAsync<TenantOrder, int>(order.Id) is null, s_bound);

        var other = TestStores.NewProduct();
        await a.Chain.PutAsync(other);
        await a.Chain.InvalidateAsync(typeof(Product));
        Assert.That(await a.Redis.GetAsync<Product, int>(other.Id), Is.Null, "the clear scanned and removed the type's keys");
    }

    /// <summary>The cache: get-or-create under the distributed stampede lock, tags, counters, removes, flush, and its backplane.</summary>
    private async Task ExerciseCacheAsync(AppInstance a, AppInstance b, string prefix)
    {
        // Both instances' cache backplanes (made with their caches) listen before anything is cached in memory, so every
        // eviction is heard.
        _ = (Cache(a), Cache(b));
        await RedisBackplaneTests.WaitUntilAsync(async () => await SubscribersAsync(prefix + "__cache:cache") == 2, s_bound);
        var options = new StockpileCacheEntryOptions { Tags = ["t1"] };
        Assert.That(await Cache(a).GetOrCreateAsync("k", 0, static (_, _) => ValueTask.FromResult("made by a"), options), Is.EqualTo("made by a"));
        Assert.That(await Cache(b).GetOrCreateAsync("k", 0, static (_, _) => ValueTask.FromResult("made by b"), options), Is.EqualTo("made by a"), "read from Redis");

        await Cache(a).RemoveByTagAsync("t1");
        await RedisBackplaneTests.WaitUntilAsync(async () => await Cache(b).GetAsync<string>("k") is null, s_bound);

        await Cache(a).SetAsync("n", "held");
        Assert.That(await Cache(b).GetAsync<string>("n"), Is.EqualTo("held"));
        await Cache(a).RemoveAsync("n");
        await RedisBackplaneTests.WaitUntilAsync(async () => await Cache(b).GetAsync<string>("n") is null, s_bound);

        Assert.That(await Cache(a).IncrementAsync("count"), Is.EqualTo(1));
        Assert.That(await Cache(b).IncrementAsync("count", 2), Is.EqualTo(3));
        await Cache(a).SetAsync("p", "pulled");
        Assert.That(await Cache(b).PullAsync<string>("p"), Is.EqualTo("pulled"));
        await Cache(a).FlushAsync();
        Assert.That(await Cache(a).GetAsync<string>("count"), Is.Null, "the flush scanned and removed the cache's keys");
    }

    /// <summary>The invalidation tokens: a key built on one instance changes on the other once invalidated.</summary>
    private static async Task ExerciseTokensAsync(AppInstance a, AppInstance b)
    {
        var product = TestStores.NewProduct();
        var key = StockpileKey.For("products").With(product);
        var before = await Keys(a).BuildAsync(key);
        Assert.That(await Keys(b).BuildAsync(key), Is.EqualTo(before), "both instances read the same tokens");

        await Keys(a).InvalidateAsync(key);

        Assert.That(await Keys(b).BuildAsync(key), Is.Not.EqualTo(before));
    }

    /// <summary>
    /// Starts an instance with every Redis feature registered as a user would: memory → Redis → <paramref name="database"/>,
    /// the backplane, the cache on Redis (memory over Redis, with the distributed stampede lock) and the invalidation
    /// tokens; every log line of every category is captured, at every level.
    /// </summary>
    private static Task<AppInstance> StartAppAsync(Action<RedisStoreOptions> connect, string prefix, FakeDatabase database) =>
        AppInstance.StartAsync(
            "(set by connect)",
            prefix,
            b => b.AddTier(_ => database)
                .AddRedisCache(RedisCacheLayout.MemoryThenRedis, o => o.DistributedStampedeLock = true)
                .AddRedisInvalidationTokens(),
            services => services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)),
            o =>
            {
                o.Configuration = null;
                connect(o);
            });

    private static IStockpileCache Cache(AppInstance app) => app.Services.GetRequiredService<IStockpileCache>();

    private static IStockpileKeyBuilder Keys(AppInstance app) => app.Services.GetRequiredService<IStockpileKeyBuilder>();

    private void Connect(RedisStoreOptions options, Form form, string password, int callTimeoutMs = CallTimeoutMs)
    {
        if (tls || form == Form.ConfigurationOptions || (form == Form.Url && callTimeoutMs != CallTimeoutMs))
        {
            // A string cannot carry the callback that trusts the test's certificate, and a URL no timeouts: with TLS,
            // or a URL with other timeouts than the package's defaults, each form is parsed the way the store parses
            // it, then given with the callback and the timeouts.
            options.ConfigurationOptions = Options(form, password, callTimeoutMs);
            return;
        }

        options.Configuration = Text(form, password, callTimeoutMs);
    }

    private ConfigurationOptions Options(Form form, string password, int callTimeoutMs)
    {
        ConfigurationOptions options;
        if (form == Form.ConfigurationOptions)
        {
            options = new ConfigurationOptions { EndPoints = { { RedisServer.Host, _port } }, User = User, Password = password, Ssl = tls };
        }
        else
        {
            options = RedisConfiguration.Parse(Text(form, password, callTimeoutMs));
        }

        options.ConnectTimeout = ConnectTimeoutMs;
        options.AsyncTimeout = callTimeoutMs;
        options.SyncTimeout = callTimeoutMs;
        if (_server is not null)
        {
            options.CertificateValidation += _server.IsOwnCertificate;
        }

        return options;
    }

    private string Text(Form form, string password, int callTimeoutMs) => form switch
    {
        Form.Url => string.Create(CultureInfo.InvariantCulture, $"{(tls ? "rediss" : "redis")}://{User}:{Uri.EscapeDataString(password)}@{RedisServer.Host}:{_port}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{RedisServer.Host}:{_port},user={User},password={password},ssl={(tls ? "true" : "false")},connectTimeout={ConnectTimeoutMs},asyncTimeout={callTimeoutMs},syncTimeout={callTimeoutMs}"),
    };

    /// <summary>The server, or every cluster master (each keeps its own users, ACL log and subscribers).</summary>
    private IEnumerable<IServer> Nodes() => _admin.GetServers().Where(static s => !s.IsReplica);

    private async Task<long> SubscribersAsync(string channel)
    {
        var count = 0L;
        foreach (var node in Nodes())
        {
            count += (long)((RedisResult[])(await node.ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1];
        }

        return count;
    }

    /// <summary>
    /// The refusals of a key, channel or command by the server (every node of the cluster) since the test started, as
    /// "reason object" (<c>key other:probe</c>). Failed logins (reason <c>auth</c>) are not refusals of what a user did,
    /// and are left out: a wrong-password test's connection may still be retrying its login, in the background, when the
    /// next test has begun (seen once in a loaded run: an extra "auth AUTH"); the wrong-password tests prove their own.
    /// </summary>
    private async Task<List<string>> AclLogAsync()
    {
        var log = new List<string>();
        foreach (var node in Nodes())
        {
            var entries = (RedisResult[])(await node.ExecuteAsync("ACL", "LOG"))!;
            log.AddRange(entries.Select(static entry => ((RedisResult[])entry!).Select(static field => field.ToString()).ToArray())
                .Where(static fields => Field(fields, "reason") != "auth")
                .Select(static fields => $"{Field(fields, "reason")} {Field(fields, "object")}"));
        }

        return log;
    }

    private static string Field(string[] fields, string name) => fields[Array.IndexOf(fields, name) + 1];

    private static void AssertNoSecret(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            Assert.That(text, Does.Not.Contain(Password).And.Not.Contain(WrongPassword).And.Not.Contain(AdminPassword).And.Not.Contain(Uri.EscapeDataString(Password)));
        }
    }
}
