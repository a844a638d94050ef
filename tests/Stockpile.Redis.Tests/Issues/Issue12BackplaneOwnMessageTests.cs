using System.Text;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 4 (lane bp8): every instance hears its own backplane messages too. It knows one by the origin every
/// message names first, and drops it without reading its look-ups: parsing the whole message and rebuilding its keys,
/// only to find the instance's own id, was about a third of the receive side's CPU per commit in the profile of
/// <c>--peer-backplane-evict</c>, spent on the same two cores as the other instance's receipt. Two real instances on
/// one redis-server; each test waits for the log line the sender writes, never for a time.
/// </summary>
public sealed class Issue12BackplaneOwnMessageTests
{
    [Test]
    public async Task OwnMessage_IsIgnoredByItsLeadingOrigin_WithoutReadingItsLookups()
    {
        await using var pair = await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, static b => b.AddTier(_ => new FakeDatabase()));
        var (a, b) = (pair.A, pair.B);

        // A message of A's whose look-ups are not even JSON: A knows it by its origin alone; B, which must read on, cannot.
        await PublishAsync(a, $$"""{"origin":"{{a.Backplane.InstanceId}}","evict":[{"t": not json""");
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Heard(a) > 0 && b.Count("BackplaneMessageUnreadable") > 0));

        Assert.Multiple(() =>
        {
            Assert.That(a.Count("BackplaneOwnMessageIgnored"), Is.EqualTo(1), "A dropped its own message");
            Assert.That(a.Count("BackplaneMessageUnreadable"), Is.Zero, "A never read the look-ups");
            Assert.That(b.Count("BackplaneOwnMessageIgnored"), Is.Zero);
        });
    }

    [Test]
    public async Task OwnMessage_WithItsOriginLast_IsStillIgnored_AndAnotherInstancesIsApplied()
    {
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        _ = await a.Chain.GetAsync<Product, int>(product.Id);
        _ = await b.Chain.GetAsync<Product, int>(product.Id);
        var evict = $$"""[{"t":"{{StockpileEntityType.For<Product>().CanonicalName}}","k":"Id","v":[{{product.Id}}]}]""";

        // Written by hand with the origin after the look-ups: not this package's order, so only the full read knows it.
        await PublishAsync(a, $$"""{"evict":{{evict}},"origin":"{{a.Backplane.InstanceId}}"}""");
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Heard(a) > 0 && b.Count("BackplaneEvicted") > 0));

        Assert.Multiple(async () =>
        {
            Assert.That(a.Count("BackplaneOwnMessageIgnored"), Is.EqualTo(1));
            Assert.That(await a.Memory.GetAsync<Product, int>(product.Id), Is.Not.Null, "A's own message did not evict A");
            Assert.That(await b.Memory.GetAsync<Product, int>(product.Id), Is.Null, "B, another instance, evicted it");
        });
    }

    /// <summary>What A logged about a message it heard: ignored as its own, or unreadable.</summary>
    private static int Heard(AppInstance instance) => instance.Count("BackplaneOwnMessageIgnored") + instance.Count("BackplaneMessageUnreadable") + instance.Count("BackplaneEvicted");

    private static async Task PublishAsync(AppInstance instance, string message)
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        await connection.GetSubscriber().PublishAsync(RedisChannel.Literal(instance.Backplane.ChannelName), Encoding.UTF8.GetBytes(message));
    }
}
