using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class ReconnectBackoffTests
{
    [TestCase(1, 50, 100)]
    [TestCase(2, 100, 200)]
    [TestCase(4, 400, 800)]
    [TestCase(50, 2500, 5000)]
    public void GetDelay_Attempt_DoublesWithJitterUpToTheCap(int attempt, int minMs, int maxMs)
    {
        for (var i = 0; i < 100; i++)
        {
            var delay = ReconnectBackoff.GetDelay(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

            Assert.That(delay.TotalMilliseconds, Is.InRange(minMs, maxMs));
        }
    }
}
