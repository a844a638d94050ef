using Stockpile.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>Issue 12: an outbox row's payload reads back into exactly the evictions it was written from, on any instance.</summary>
public sealed class Issue12OutboxPayloadTests
{
    [Test]
    public void Read_WrittenKeysTypesAndTables_SameEvictions()
    {
        var lineId = Guid.NewGuid();
        EntityKey[] keys =
        [
            EntityKey.For<Row>(42),
            EntityKey.Of<Row>(nameof(Row.Code), "ü \"quoted\" ,;:|"),
            EntityKey.For<OrderLine>(7, 3),
            EntityKey.Of<OrderLine>(nameof(OrderLine.LineId), lineId),
        ];
        var payload = OutboxPayload.Write(keys, [typeof(Product)], [typeof(Customer)], ["stockpile.table:Rows"]);

        var batch = OutboxPayload.Read(null!, payload);

        Assert.That(batch.Keys, Is.EquivalentTo(keys));
        Assert.That(batch.Types, Is.EquivalentTo(new[] { typeof(Product) }));
        Assert.That(batch.UntrackedTypes, Is.EquivalentTo(new[] { typeof(Customer) }));
        Assert.That(batch.Tables, Is.EquivalentTo(new[] { "stockpile.table:Rows" }));
        Assert.That(batch.InvalidateAll, Is.False);
    }

    [Test]
    public void Read_TypeNoLongerInTheApp_EvictsEverything()
    {
        const string Payload = """{"k":[["Gone.Type, Gone","Id",1]],"t":[],"u":[],"q":[]}""";

        var batch = OutboxPayload.Read(null!, Payload);

        Assert.That(batch.InvalidateAll, Is.True);
        Assert.That(batch.Keys, Is.Empty);
    }

    [Test]
    public void Read_ValueNoLongerFitsTheKey_DropsTheTypeWhole()
    {
        var payload = OutboxPayload.Write([EntityKey.For<Row>(1)], [], [], []).Replace("1]", "\"not a number\"]", StringComparison.Ordinal);

        var batch = OutboxPayload.Read(null!, payload);

        Assert.That(batch.Types, Is.EquivalentTo(new[] { typeof(Row) }));
        Assert.That(batch.Keys, Is.Empty);
    }
}
