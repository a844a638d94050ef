using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Logging;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 7, item 5: strongly typed ids (a record struct mapped with a value converter) with <c>UseModelKeys</c>: the
/// store builds, saves never fail, the caches file the object under the converted (column) value, and a type whose
/// key Stockpile cannot handle is left out with a warning at start-up.
/// </summary>
[TestFixture]
public sealed class Issue7StronglyTypedIdTests
{
    private static Task<ChainHarness<TypedIdDbContext>> CreateAsync(CapturingLoggerProvider? logs = null) =>
        ChainHarness<TypedIdDbContext>.CreateAsync(new EfCoreStoreOptions { UseModelKeys = true }, o => o.UseModelKeys = true, loggerFactory: logs?.CreateFactory());

    private static PurchaseOrder NewOrder() => new() { Id = new OrderId(Guid.NewGuid()), Number = $"PO-{Guid.NewGuid():N}", Total = 5m };

    [Test]
    public async Task SaveChanges_StronglyTypedId_CommitsAndEvicts()
    {
        var harness = await CreateAsync();
        var order = NewOrder();

        await using (var context = harness.App.CreateDbContext())
        {
            context.Add(order);
            await context.SaveChangesAsync();
        }

        Assert.That((await harness.Chain.GetAsync<PurchaseOrder>(EntityKey.For<PurchaseOrder>(order.Id)))?.Number, Is.EqualTo(order.Number));
        Assert.That(await harness.L1.GetAsync<PurchaseOrder>(EntityKey.For<PurchaseOrder>(order.Id)), Is.Not.Null, "cached");

        await using (var context = harness.App.CreateDbContext())
        {
            (await context.Set<PurchaseOrder>().SingleAsync(o => o.Id == order.Id)).Total = 9m;
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<PurchaseOrder>(EntityKey.For<PurchaseOrder>(order.Id)))?.Total, Is.Null.Or.EqualTo(9m), $"tier '{tier.Name}' is stale");
            Assert.That((await tier.GetAsync<PurchaseOrder>(EntityKey.Of<PurchaseOrder>(nameof(PurchaseOrder.Number), order.Number)))?.Total, Is.Null.Or.EqualTo(9m), $"tier '{tier.Name}' is stale by Number");
        }

        Assert.That((await harness.Chain.GetAsync<PurchaseOrder>(EntityKey.For<PurchaseOrder>(order.Id)))?.Total, Is.EqualTo(9m));
    }

    [Test]
    public async Task Store_StronglyTypedId_PutGetManyAndDelete()
    {
        var harness = await CreateAsync();
        var orders = new[] { NewOrder(), NewOrder() };

        await harness.Chain.PutManyAsync(orders);

        var found = await harness.Source.GetManyAsync<PurchaseOrder>([EntityKey.For<PurchaseOrder>(orders[0].Id), EntityKey.Of<PurchaseOrder>(nameof(PurchaseOrder.Number), orders[1].Number)]);
        Assert.That(found.Select(o => o?.Id), Is.EqualTo(orders.Select(o => (OrderId?)o.Id)));
        Assert.That(await harness.Chain.DeleteAsync(EntityKey.For<PurchaseOrder>(orders[0].Id)), Is.True);
        Assert.That(await harness.Chain.GetAsync<PurchaseOrder>(EntityKey.For<PurchaseOrder>(orders[0].Id)), Is.Null);
    }

    [Test]
    public async Task EntityKey_StronglyTypedIdOrItsColumnValue_SameLookUp()
    {
        _ = await CreateAsync();
        var id = Guid.NewGuid();

        var byId = EntityKey.For<PurchaseOrder>(new OrderId(id));
        var byColumnValue = EntityKey.For<PurchaseOrder>(id);

        Assert.That(byColumnValue, Is.EqualTo(byId));
        Assert.That(byId.Encode(), Does.Contain(id.ToString("D")), "the canonical key holds the column's value");
    }

    [Test]
    public async Task Store_KeyTypeStockpileCannotEncode_WarnsAtStartUpAndSavesStillWork()
    {
        var logs = new CapturingLoggerProvider();
        var harness = await CreateAsync(logs);

        Assert.That(logs.Entries.Where(e => e.EventId.Name == "KeyNotCached").Select(e => e.Message), Has.Some.Contains(nameof(Fingerprint)).And.Some.Contains(nameof(Fingerprint.Hash)));
        await using var context = harness.App.CreateDbContext();
        context.Add(new Fingerprint { Hash = Guid.NewGuid().ToByteArray(), Note = "saved" });
        Assert.That(await context.SaveChangesAsync(), Is.EqualTo(1));
    }
}
