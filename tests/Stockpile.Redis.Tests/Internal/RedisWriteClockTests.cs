using Microsoft.Extensions.Time.Testing;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Internal;

/// <summary>
/// The lease a chain's read takes from the store's clock (<see cref="RedisWriteClock.TryLease"/>): a lower bound of
/// the server's time, only while a server time was seen within <see cref="RedisWriteClock.LeaseFreshnessMicros"/>.
/// Local time is a fake clock; the server times are numbers, as the replies bring them.
/// </summary>
public sealed class RedisWriteClockTests
{
    private const long Seen = 1_764_500_000_000_000;

    [Test]
    public void TryLease_NoServerTimeSeen_IsRefused()
    {
        var clock = new RedisWriteClock(new FakeTimeProvider());

        Assert.That(clock.TryLease(out _), Is.False);
    }

    [Test]
    public void TryLease_AfterAReply_IsTheServerTimeMovedOnByLocalTimeLessTheDrift()
    {
        var (time, clock) = ClockThatSaw(Seen);
        time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.That(clock.TryLease(out var lease), Is.True);
        Assert.That(lease, Is.EqualTo(Seen + 500_000 - 500), "500 ms on, less 0.5 ms of drift allowance: at most the server's time");
        Assert.That(lease, Is.EqualTo(clock.Stamp()), "the same bound as a put's stamp");
    }

    [Test]
    public void TryLease_NoReplyForLongerThanTheFreshness_IsRefused_UntilTheNextReply()
    {
        var (time, clock) = ClockThatSaw(Seen);
        time.Advance(TimeSpan.FromMicroseconds(RedisWriteClock.LeaseFreshnessMicros + 1));

        Assert.That(clock.TryLease(out _), Is.False, "stale: the read takes the server's TIME");
        Assert.That(clock.Stamp(), Is.GreaterThan(Seen), "a put's stamp is still made");

        clock.Observe(Seen + RedisWriteClock.LeaseFreshnessMicros);
        Assert.That(clock.TryLease(out var lease), Is.True);
        Assert.That(lease, Is.EqualTo(Seen + RedisWriteClock.LeaseFreshnessMicros));
    }

    [Test]
    public void TryLease_LaterRepliesObservedLate_KeepItFresh_NeverAboveTheirBound()
    {
        var (time, clock) = ClockThatSaw(Seen);

        // Every 1.5 s a reply observed 5 ms after the server read its time (a busy machine): its bound is 5 ms lower
        // than the first one's, which the put's stamp keeps (never moving back) until its drift allowance passes 5 ms.
        for (var reply = 1; reply <= 3; reply++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1_500));
            var observed = Seen + (reply * 1_500_000L) - 5_000;
            clock.Observe(observed);

            Assert.That(clock.TryLease(out var lease), Is.True, $"fresh after reply {reply}");
            Assert.That(lease, Is.EqualTo(observed), "the latest reply's bound: the first one's is older than the freshness");
        }
    }

    [Test]
    public void TryLease_BothBoundsFresh_TakesTheHigher()
    {
        var (time, clock) = ClockThatSaw(Seen);
        time.Advance(TimeSpan.FromMilliseconds(100));
        clock.Observe(Seen + 100_000 - 2_000); // observed 2 ms late: a lower bound than the first reply's

        Assert.That(clock.TryLease(out var lease), Is.True);
        Assert.That(lease, Is.EqualTo(Seen + 100_000 - 100), "the first reply's bound, less 0.1 ms of drift");
    }

    /// <summary>A clock on a fake local clock that has just observed the server time <paramref name="seen"/>.</summary>
    private static (FakeTimeProvider Time, RedisWriteClock Clock) ClockThatSaw(long seen)
    {
        var time = new FakeTimeProvider();
        var clock = new RedisWriteClock(time);
        clock.Observe(seen);
        return (time, clock);
    }
}
