using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>Two app instances, A and B, over one Redis under one fresh prefix, with the same bottom tier.</summary>
internal sealed class AppPair : IAsyncDisposable
{
    private AppPair(AppInstance a, AppInstance b)
    {
        A = a;
        B = b;
    }

    public AppInstance A { get; }

    public AppInstance B { get; }

    public static async Task<AppPair> StartAsync(string redis, Action<IStockpileBuilder> addBottom, Action<IServiceCollection>? configure = null, Action<RedisStoreOptions>? configureRedis = null)
    {
        var prefix = TestStores.UniquePrefix();
        var a = await AppInstance.StartAsync(redis, prefix, addBottom, configure, configureRedis);
        return new AppPair(a, await AppInstance.StartAsync(redis, prefix, addBottom, configure, configureRedis));
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
