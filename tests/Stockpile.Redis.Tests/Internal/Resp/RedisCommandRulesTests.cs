using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisCommandRulesTests
{
    [TestCase("SELECT")]
    [TestCase("subscribe")]
    [TestCase("MULTI")]
    [TestCase("EXEC")]
    [TestCase("WATCH")]
    public void EnsureAllowed_StateChangingCommandAlone_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => RedisCommandRules.EnsureAllowed(new RedisCommand(name, "x")));

    [Test]
    public void EnsureAllowed_ClosedTransactionsInBatch_Passes() =>
        Assert.DoesNotThrow(() => RedisCommandRules.EnsureAllowed(
            [new("MULTI"), new("INCR", "a"), new("EXEC"), new("GET", "a"), new("MULTI"), new("DISCARD")]));

    [Test]
    public void EnsureAllowed_UnclosedOrNestedTransaction_Throws()
    {
        Assert.Throws<ArgumentException>(() => RedisCommandRules.EnsureAllowed([new("MULTI"), new("INCR", "a")]));
        Assert.Throws<ArgumentException>(() => RedisCommandRules.EnsureAllowed([new("MULTI"), new("MULTI"), new("EXEC")]));
        Assert.Throws<ArgumentException>(() => RedisCommandRules.EnsureAllowed([new("EXEC")]));
    }
}
