using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 7, item 1: a change to an owned entity (any depth, OwnsOne, OwnsMany, JSON-mapped) is a change of its
/// aggregate root, which the interceptor must evict or write through like any change of its own.
/// </summary>
[TestFixture]
public sealed class Issue7OwnedTypeTests
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100 + 300_000_000;

    internal static int NextId() => Interlocked.Increment(ref s_nextId);

    internal static Shopper NewShopper(int id, string city = "Oslo") => new()
    {
        Id = id,
        Name = $"shopper {id}",
        Address = new ShopperAddress { City = city, Geo = new GeoPoint { Latitude = 59.9, Longitude = 10.7 } },
        Phones = [new ShopperPhone { Number = "111" }],
        Preferences = new ShopperPreferences { Theme = "light", Alerts = [new ShopperAlert { Topic = "sales" }] },
        Budget = new Money { Amount = 10m, Currency = "NOK" },
    };

    /// <summary>What the aggregate looks like, owned parts included, as one comparable string.</summary>
    internal static string Describe(Shopper? s) => s is null
        ? "<none>"
        : $"{s.Name}|{s.Address?.City}|{s.Address?.Geo?.Latitude}|{string.Join(",", s.Phones.Select(p => p.Number).Order())}|{s.Preferences?.Theme}|{string.Join(",", (s.Preferences?.Alerts ?? []).Select(a => a.Topic).Order())}|{s.Budget.Amount.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}{s.Budget.Currency}";

    private static IEnumerable<TestCaseData> Changes()
    {
        foreach (var policy in new[] { StockpileCommitPolicy.Evict, StockpileCommitPolicy.WriteThrough })
        {
            yield return Case(policy, "OwnsOne property", s => s.Address.City = "Bergen");
            yield return Case(policy, "OwnsOne replaced", s => s.Address = new ShopperAddress { City = "Bergen", Geo = new GeoPoint { Latitude = 60.4 } });
            yield return Case(policy, "owned two levels deep", s => s.Address.Geo.Latitude = 60.4);
            yield return Case(policy, "OwnsMany item changed", s => s.Phones[0].Number = "222");
            yield return Case(policy, "OwnsMany item added", s => s.Phones.Add(new ShopperPhone { Number = "333" }));
            yield return Case(policy, "OwnsMany item removed", s => s.Phones.Clear());
            yield return Case(policy, "JSON owned property", s => s.Preferences.Theme = "dark");
            yield return Case(policy, "JSON owned collection item added", s => s.Preferences.Alerts.Add(new ShopperAlert { Topic = "news" }));
        }
    }

    private static TestCaseData Case(StockpileCommitPolicy policy, string name, Action<Shopper> change) =>
        new TestCaseData(policy, change).SetArgDisplayNames(policy.ToString(), name);

    [TestCaseSource(nameof(Changes))]
    public async Task SaveChanges_OwnedEntityChanged_NoTierServesTheOldAggregate(StockpileCommitPolicy policy, Action<Shopper> change)
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync(interceptor: o => o.DefaultPolicy = policy);
        var id = NextId();
        await using (var context = harness.Plain.CreateDbContext())
        {
            context.Add(NewShopper(id));
            await context.SaveChangesAsync();
        }

        Assert.That((await harness.Chain.GetAsync<Shopper, int>(id))?.Address.City, Is.EqualTo("Oslo"), "seeded through the chain");
        Assert.That(await harness.L2.GetAsync<Shopper, int>(id), Is.Not.Null, "the caches hold the aggregate");

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Shopper>().SingleAsync(s => s.Id == id);
            change(tracked);
            Assert.That(context.Entry(tracked).State, Is.EqualTo(EntityState.Unchanged).Or.EqualTo(EntityState.Modified), "the root itself may look unchanged");
            await context.SaveChangesAsync();
        }

        string expected;
        await using (var context = harness.Plain.CreateDbContext())
        {
            expected = Describe(await context.Set<Shopper>().AsNoTracking().SingleAsync(s => s.Id == id));
        }

        foreach (var tier in harness.Caches)
        {
            var cached = await tier.GetAsync<Shopper, int>(id);
            if (cached is not null)
            {
                Assert.That(Describe(cached), Is.EqualTo(expected), $"tier '{tier.Name}' serves the aggregate as it was before the commit");
            }
        }

        Assert.That(Describe(await harness.Chain.GetAsync<Shopper, int>(id)), Is.EqualTo(expected));
    }

    [Test]
    public async Task SaveChanges_OwnedEntityChangedInTransaction_EvictedAtCommitOnly()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var id = NextId();
        await using (var context = harness.Plain.CreateDbContext())
        {
            context.Add(NewShopper(id));
            await context.SaveChangesAsync();
        }

        await harness.Chain.GetAsync<Shopper, int>(id);
        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            (await context.Set<Shopper>().SingleAsync(s => s.Id == id)).Address.City = "Bergen";
            await context.SaveChangesAsync();
            Assert.That((await harness.L1.GetAsync<Shopper, int>(id))?.Address.City, Is.EqualTo("Oslo"), "nothing is evicted before the commit");
            await transaction.CommitAsync();
        }

        Assert.That((await harness.Chain.GetAsync<Shopper, int>(id))?.Address.City, Is.EqualTo("Bergen"));
    }
}
