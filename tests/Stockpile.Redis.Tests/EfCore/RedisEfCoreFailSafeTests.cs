using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// The full chain on two instances (memory → Redis → EF Core on one SQLite file, the interceptor, the backplane), with
/// the real redis-server stopped and started again in the middle of reads and <c>SaveChanges</c>.
/// </summary>
[NonParallelizable]
public sealed class RedisEfCoreFailSafeTests
{
    [Test]
    public async Task RedisRestartedMidWorkload_NoReadNorSaveChangesFails_NoStaleValueAfterwards()
    {
        await using var server = await RedisServer.StartAsync();
        await using var database = await SqliteFileDatabase.CreateAsync();
        var ids = Enumerable.Range(1, 20).ToArray();
        await EfCoreApps.SeedAsync(database, ids);

        await RedisRestartTests.RunAsync(server, ids, EfCoreApps.AddDatabaseTier, EfCoreApps.RenameAsync, () => EfCoreApps.NamesAsync(database, ids), EfCoreApps.Database(database));
    }
}
