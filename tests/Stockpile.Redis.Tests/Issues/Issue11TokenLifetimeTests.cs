using StackExchange.Redis;
using Stockpile.Redis.Tests.Tokens;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 11: a token "lives untouched" for <see cref="StockpileKeyBuilderOptions.TokenLifetime"/>, but reading it did not
/// extend its TTL in Redis, so a token in steady use expired at its first lifetime and every key built from it changed
/// (values cached under the old keys were recomputed for nothing). A read now extends it; a token that is lost anyway
/// is made with a new random value, so the key changes and two data states never share a key.
/// </summary>
[NonParallelizable]
public sealed class Issue11TokenLifetimeTests
{
    [Test]
    public async Task BuildAsync_TokenNearItsExpiry_ReadExtendsItsTtl_AndALostTokenChangesTheKey()
    {
        await using var server = await RedisServer.StartAsync();
        var prefix = TestStores.UniquePrefix();
        await using var app = RedisTokenApp.Start(server.ConnectionString, prefix);
        var key = StockpileKey.For("page").WithId<Product>(7).WithType<Customer>().WithGlobal();
        var first = await app.Keys.BuildAsync(key);

        await using var admin = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(server.ConnectionString));
        var database = admin.GetDatabase();
        var tokens = await admin.GetServers()[0].KeysAsync(pattern: prefix + "#tokens:*").ToArrayAsync();
        Assert.That(tokens, Has.Length.EqualTo(3), "the instance, type and global tokens");
        foreach (var token in tokens)
        {
            await database.KeyExpireAsync(token, TimeSpan.FromSeconds(5));
        }

        Assert.That(await app.Keys.BuildAsync(key), Is.EqualTo(first), "a read keeps the tokens");
        foreach (var token in tokens)
        {
            Assert.That(await database.KeyTimeToLiveAsync(token), Is.GreaterThan(TimeSpan.FromHours(23)), $"{token} is extended to a full lifetime by the read");
        }

        await database.KeyDeleteAsync(tokens[0]);
        Assert.That(await app.Keys.BuildAsync(key), Is.Not.EqualTo(first), "a lost token is made anew with a new value: the key changes");
    }
}
