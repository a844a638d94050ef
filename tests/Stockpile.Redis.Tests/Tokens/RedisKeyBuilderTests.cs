using Stockpile.Redis.Tests.Cluster;
using Stockpile.Testing.Tokens;

namespace Stockpile.Redis.Tests.Tokens;

/// <summary>The key builder with its tokens on Redis, on a server and on the three-master cluster; each builder is another application instance.</summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false)]
[TestFixture(true)]
public sealed class RedisKeyBuilderTests(bool cluster) : KeyBuilderContractTests
{
    private readonly List<RedisTokenApp> _apps = [];
    private string _prefix = "";
    private string _connection = "";

    [OneTimeSetUp]
    public async Task ConnectAsync() =>
        _connection = cluster ? (await RedisClusterEnvironment.GetAsync()).Cluster.ConnectionString : RedisTestEnvironment.ConnectionString;

    [SetUp]
    public void SetUp() => _prefix = TestStores.UniquePrefix();

    [TearDown]
    public async Task TearDownAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        _apps.Clear();
    }

    /// <inheritdoc/>
    protected override ValueTask<IStockpileKeyBuilder> CreateBuilderAsync()
    {
        var app = RedisTokenApp.Start(_connection, _prefix);
        _apps.Add(app);
        return new ValueTask<IStockpileKeyBuilder>(app.Keys);
    }
}
