using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Internal.Caching;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, item 1 (the string-key hit): with the system clock, the memory level checks a value's expiry on the coarse
/// clock (<see cref="Environment.TickCount64"/>), which lags real time by up to its tick (4 ms here, up to 15.6 ms on
/// Windows) and is truncated to whole milliseconds. A deadline taken on it as it is served a value up to a tick after its
/// lifetime ended. The coarse clock may now only say "still alive, with room to spare"; the last moments of a lifetime
/// are checked on the exact clock, so a value is never served after its expiry, and never dropped before it.
/// </summary>
[TestFixture]
public sealed class Issue12CacheExpiryTests
{
    [Test]
    public async Task TryGetLocal_SystemClock_NeverServesAValueAfterItsLifetime()
    {
        // Lifetimes 30-53 ms: some end between two coarse ticks, where a coarse deadline served the value late. Each
        // value is read in a tight loop until it misses; a read that began once the lifetime had surely ended (measured
        // from after the set returned, so the value's own expiry is no later) must miss. This cannot fail on load: a
        // descheduled reader only reads later, when a miss is all the more due.
        var cache = new StockpileCache(new StockpileCacheOptions { DefaultExpiration = TimeSpan.FromMinutes(5) });
        var late = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var lifetime = TimeSpan.FromMilliseconds(30 + i);
            var key = $"k{i}";
            await cache.SetAsync(key, "v", new StockpileCacheEntryOptions { Expiration = lifetime });
            var stored = Stopwatch.GetTimestamp();
            var lastHit = TimeSpan.Zero;
            while (true)
            {
                var readAt = Stopwatch.GetTimestamp();
                if (!cache.TryGetLocal(key, out _))
                {
                    break;
                }

                lastHit = Stopwatch.GetElapsedTime(stored, readAt);
            }

            if (lastHit >= lifetime)
            {
                late.Add($"{key} (lifetime {lifetime.TotalMilliseconds} ms) served until {(lastHit - lifetime).TotalMilliseconds:F3} ms after it");
            }
        }

        Assert.That(late, Is.Empty, "a value served after its lifetime");
    }

    [Test]
    public void DeadlineOf_SystemClock_ShortLifetime_LeavesTheCoarseClockNothingToAnswer()
    {
        // A lifetime within the coarse clock's margin is checked on the exact clock from the start: the coarse
        // deadline is already behind the coarse clock, so a hit never trusts it.
        var clock = new CacheClock(TimeProvider.System);

        var deadline = clock.DeadlineOf(DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(5));

        Assert.That(deadline.Coarse, Is.LessThanOrEqualTo(Environment.TickCount64));
        Assert.That(deadline.Exact, Is.GreaterThan(Stopwatch.GetTimestamp() - Stopwatch.Frequency), "the exact deadline is on the exact clock");
    }

    [Test]
    public void DeadlineOf_FakeClock_BothDeadlinesAreTheExactMoment()
    {
        var time = new FakeTimeProvider();
        var clock = new CacheClock(time);

        var deadline = clock.DeadlineOf(time.GetUtcNow() + TimeSpan.FromSeconds(10));

        Assert.That(deadline.Exact, Is.EqualTo(time.GetTimestamp() + (10 * time.TimestampFrequency)));
        Assert.That(deadline.Coarse, Is.EqualTo(deadline.Exact), "a test's clock is exact: no margin");
        Assert.That(clock.DeadlineOf(null), Is.EqualTo(CacheDeadline.Never));
    }

    [Test]
    public async Task GetAsync_FakeClock_ServedUntilTheExactExpiry_ShortLifetimeToo()
    {
        var time = new FakeTimeProvider();
        var cache = new StockpileCache(new StockpileCacheOptions { TimeProvider = time });
        await cache.SetAsync("k", "v", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromMilliseconds(3) });

        time.Advance(TimeSpan.FromMilliseconds(3) - TimeSpan.FromTicks(1));
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("v"));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.That(await cache.GetAsync<string>("k"), Is.Null);
    }
}
