using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 7, item 2: a put persists the whole aggregate the model maps (owned types at any depth, owned collections,
/// JSON-mapped owned types, complex properties), so the database and the caches never disagree after a put.
/// Item 6: a type with only a parameterized constructor can be inserted.
/// </summary>
[TestFixture]
public sealed class Issue7AggregatePutTests
{
    private static async Task<string> FromDatabaseAsync(ChainHarness<AggregateDbContext> harness, int id)
    {
        await using var context = harness.Plain.CreateDbContext();
        return Issue7OwnedTypeTests.Describe(await context.Set<Shopper>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == id));
    }

    [Test]
    public async Task PutAsync_NewAggregate_DatabaseHoldsEveryOwnedValue()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var shopper = Issue7OwnedTypeTests.NewShopper(Issue7OwnedTypeTests.NextId());

        await harness.Chain.PutAsync(shopper);

        Assert.That(await FromDatabaseAsync(harness, shopper.Id), Is.EqualTo(Issue7OwnedTypeTests.Describe(shopper)));
        Assert.That(Issue7OwnedTypeTests.Describe(await harness.Chain.GetAsync<Shopper, int>(shopper.Id)), Is.EqualTo(Issue7OwnedTypeTests.Describe(shopper)));
    }

    [Test]
    public async Task PutAsync_ExistingAggregateChanged_DatabaseAndCachesAgree()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var id = Issue7OwnedTypeTests.NextId();
        await harness.Chain.PutAsync(Issue7OwnedTypeTests.NewShopper(id));
        var second = Issue7OwnedTypeTests.NewShopper(id, "Bergen");
        second.Address.Geo.Latitude = 60.4;
        second.Phones = [new ShopperPhone { Number = "222" }, new ShopperPhone { Number = "333" }];
        second.Preferences = new ShopperPreferences { Theme = "dark", Alerts = [] };
        second.Budget = new Money { Amount = 20m, Currency = "EUR" };

        await harness.Chain.PutAsync(second);

        var expected = Issue7OwnedTypeTests.Describe(second);
        Assert.That(await FromDatabaseAsync(harness, id), Is.EqualTo(expected), "the database holds the second put, owned values included");
        Assert.That(Issue7OwnedTypeTests.Describe(await harness.Source.GetAsync<Shopper, int>(id)), Is.EqualTo(expected));
        Assert.That(Issue7OwnedTypeTests.Describe(await harness.Chain.GetAsync<Shopper, int>(id)), Is.EqualTo(expected));
    }

    [Test]
    public async Task PutManyAsync_NewAndExistingAggregates_OneSaveWritesAll()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var existing = Issue7OwnedTypeTests.NewShopper(Issue7OwnedTypeTests.NextId());
        await harness.Source.PutAsync(existing);
        var changed = Issue7OwnedTypeTests.NewShopper(existing.Id, "Trondheim");
        var added = Issue7OwnedTypeTests.NewShopper(Issue7OwnedTypeTests.NextId(), "Bodø");

        await harness.Source.PutManyAsync([changed, added]);

        Assert.That(await FromDatabaseAsync(harness, existing.Id), Is.EqualTo(Issue7OwnedTypeTests.Describe(changed)));
        Assert.That(await FromDatabaseAsync(harness, added.Id), Is.EqualTo(Issue7OwnedTypeTests.Describe(added)));
    }

    [Test]
    public async Task PutAsync_ParameterizedConstructorOnly_InsertsThenUpdates()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var id = Issue7OwnedTypeTests.NextId();

        await harness.Chain.PutAsync(new Sticker(id, "first"));
        Assert.That((await harness.Source.GetAsync<Sticker, int>(id))?.Label, Is.EqualTo("first"), "inserted");

        await harness.Chain.PutAsync(new Sticker(id, "second"));
        Assert.That((await harness.Source.GetAsync<Sticker, int>(id))?.Label, Is.EqualTo("second"), "updated");
        Assert.That((await harness.Chain.GetAsync<Sticker, int>(id))?.Label, Is.EqualTo("second"));
    }

    [Test]
    public async Task PutAsync_CallersObject_IsNotChangedOrKeptTracked()
    {
        var harness = await ChainHarness<AggregateDbContext>.CreateAsync();
        var shopper = Issue7OwnedTypeTests.NewShopper(Issue7OwnedTypeTests.NextId());
        var before = Issue7OwnedTypeTests.Describe(shopper);

        await harness.Source.PutAsync(shopper);
        await harness.Source.PutAsync(shopper);

        Assert.That(Issue7OwnedTypeTests.Describe(shopper), Is.EqualTo(before));
    }
}
