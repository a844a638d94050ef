using System.Reflection;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>Issue 9: each assembly logs in its own event id range (Core 1–999, EfCore 1000–1999, Redis 2000–2999); Redis used 2 and 13–33, Core's range.</summary>
public sealed class Issue9LogEventIdTests
{
    [Test]
    public void RedisLogEventIds_AreDistinct_AndIn2000To2999()
    {
        var ids = typeof(Log).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Id", StringComparison.Ordinal))
            .Select(f => (int)f.GetRawConstantValue()!)
            .ToList();

        Assert.That(ids, Is.Not.Empty);
        Assert.That(ids, Is.All.InRange(2000, 2999));
        Assert.That(ids, Is.Unique);
    }
}
