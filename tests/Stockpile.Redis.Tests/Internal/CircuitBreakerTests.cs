using Microsoft.Extensions.Time.Testing;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Internal;

public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);

    private FakeTimeProvider _time = null!;
    private List<(RedisCircuitState From, RedisCircuitState To)> _changes = null!;

    [SetUp]
    public void Reset()
    {
        _time = new FakeTimeProvider();
        _changes = [];
    }

    [Test]
    public void OnFailure_BelowThreshold_StaysClosed_AndSuccessResetsTheCount()
    {
        var breaker = Create(threshold: 3);

        Fail(breaker, 2);
        Succeed(breaker);
        Fail(breaker, 2);

        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Closed));
        Assert.That(_changes, Is.Empty);
    }

    [Test]
    public void OnFailure_ThresholdReached_OpensAndFailsFast()
    {
        var breaker = Create(threshold: 3);

        Fail(breaker, 3);

        Assert.Multiple(() =>
        {
            Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Open));
            Assert.That(breaker.TryEnter(out _), Is.False);
            Assert.That(breaker.RetryAfter, Is.EqualTo(Break));
            Assert.That(_changes, Is.EqualTo(new[] { (RedisCircuitState.Closed, RedisCircuitState.Open) }));
        });
    }

    [Test]
    public void TryEnter_AfterBreak_LetsOneProbeThrough()
    {
        var breaker = Create(threshold: 1);
        Fail(breaker, 1);

        _time.Advance(Break - TimeSpan.FromMilliseconds(1));
        Assert.That(breaker.TryEnter(out _), Is.False, "still open a tick before the break ends");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(breaker.TryEnter(out var probe), Is.True);
        Assert.That(probe, Is.True);
        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.HalfOpen));
        Assert.That(breaker.TryEnter(out _), Is.False, "a second caller fails fast while the probe is out");
    }

    [Test]
    public void ProbeSucceeds_Closes()
    {
        var breaker = Create(threshold: 1);
        Fail(breaker, 1);
        _time.Advance(Break);
        breaker.TryEnter(out var probe);

        breaker.OnSuccess(probe);

        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Closed));
        Assert.That(breaker.TryEnter(out var next) && !next, Is.True);
        Assert.That(_changes.Select(c => c.To), Is.EqualTo(new[] { RedisCircuitState.Open, RedisCircuitState.HalfOpen, RedisCircuitState.Closed }));
    }

    [Test]
    public void ProbeFails_OpensForAnotherBreak()
    {
        var breaker = Create(threshold: 1);
        Fail(breaker, 1);
        _time.Advance(Break);
        breaker.TryEnter(out var probe);

        breaker.OnFailure(probe);

        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Open));
        Assert.That(breaker.TryEnter(out _), Is.False);
        _time.Advance(Break);
        Assert.That(breaker.TryEnter(out var again), Is.True);
        Assert.That(again, Is.True);
    }

    [Test]
    public void ProbeAbandoned_LetsTheNextCallProbe()
    {
        var breaker = Create(threshold: 1);
        Fail(breaker, 1);
        _time.Advance(Break);
        breaker.TryEnter(out var probe);

        breaker.OnAbandoned(probe);

        Assert.That(breaker.TryEnter(out var next), Is.True);
        Assert.That(next, Is.True);
    }

    [Test]
    public void LateOutcomesOfCallsStartedBeforeTheBreak_ChangeNothing()
    {
        var breaker = Create(threshold: 1);
        breaker.TryEnter(out var early);
        Fail(breaker, 1);

        breaker.OnSuccess(early);
        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Open), "a late success does not close the circuit");

        _time.Advance(Break);
        breaker.TryEnter(out var probe);
        breaker.OnFailure(isProbe: false);
        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.HalfOpen), "a late failure does not cut the probe short");
        breaker.OnSuccess(probe);
        Assert.That(breaker.State, Is.EqualTo(RedisCircuitState.Closed));
    }

    [Test]
    public void EndBreak_LetsTheNextCallProbeAtOnce()
    {
        var breaker = Create(threshold: 1);
        Fail(breaker, 1);

        breaker.EndBreak();

        Assert.That(breaker.RetryAfter, Is.EqualTo(TimeSpan.Zero));
        Assert.That(breaker.TryEnter(out var probe), Is.True);
        Assert.That(probe, Is.True);
    }

    [Test]
    public void Constructor_InvalidSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(0, Break, _time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(1, TimeSpan.Zero, _time));
    }

    private CircuitBreaker Create(int threshold) => new(threshold, Break, _time, (from, to, _) => _changes.Add((from, to)));

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            breaker.TryEnter(out var probe);
            breaker.OnFailure(probe);
        }
    }

    private static void Succeed(CircuitBreaker breaker)
    {
        breaker.TryEnter(out var probe);
        breaker.OnSuccess(probe);
    }
}
