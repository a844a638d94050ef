using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Internal;

/// <summary>
/// The breaker in front of Redis is Polly's, configured by <see cref="RedisCircuit"/>: these tests pin what Stockpile
/// relies on (when it opens, fails fast, probes, closes), on a fake clock.
/// </summary>
public sealed class RedisCircuitTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Sampling = TimeSpan.FromSeconds(5);

    private FakeTimeProvider _time = null!;
    private CapturingLoggerProvider _logs = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _logs = new CapturingLoggerProvider();
    }

    [TearDown]
    public void TearDown() => _logs.Dispose();

    [Test]
    public async Task Failures_BelowThreshold_StayClosed()
    {
        var circuit = Create(threshold: 3);

        await FailAsync(circuit, 2);

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
        Assert.That(Events(), Is.Empty);
    }

    [Test]
    public async Task Failures_ThresholdReachedWithinTheWindow_OpensAndFailsFast()
    {
        var circuit = Create(threshold: 3);

        await FailAsync(circuit, 3);

        Assert.Multiple(() =>
        {
            Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Open));
            Assert.That(circuit.RetryAfter, Is.EqualTo(Break));
            Assert.ThrowsAsync<BrokenCircuitException>(async () => await SucceedAsync(circuit), "fails fast: the call is not made");
            Assert.That(Events(), Is.EqualTo(new[] { "CircuitOpened" }));
        });
    }

    [Test]
    public async Task Failures_AfterASuccessWithinTheWindow_StayClosed_UntilTheSuccessLeavesIt()
    {
        var circuit = Create(threshold: 2);
        await SucceedAsync(circuit);

        await FailAsync(circuit, 3);
        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed), "not every call in the window failed");

        _time.Advance(Sampling);
        await FailAsync(circuit, 2);
        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Open));
    }

    [Test]
    public async Task Failures_SpreadWiderThanTheWindow_StayClosed()
    {
        var circuit = Create(threshold: 2);

        await FailAsync(circuit, 1);
        _time.Advance(Sampling);
        await FailAsync(circuit, 1);

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
    }

    [Test]
    public async Task ErrorReplies_AreAnswers_NotFailures()
    {
        var circuit = Create(threshold: 2);

        for (var i = 0; i < 3; i++)
        {
            Assert.ThrowsAsync<RedisServerException>(async () => await RunAsync(circuit, () => throw ErrorReply()));
        }

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
    }

    [Test]
    public async Task AfterTheBreak_OneCallProbes_OthersFailFast_AndASuccessfulProbeCloses()
    {
        var circuit = Create(threshold: 2);
        await FailAsync(circuit, 2);

        _time.Advance(Break - TimeSpan.FromMilliseconds(1));
        Assert.ThrowsAsync<BrokenCircuitException>(async () => await SucceedAsync(circuit), "still open a tick before the break ends");
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = circuit.Pipeline.ExecuteAsync(_ => new ValueTask<int>(answer.Task)).AsTask();
        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.HalfOpen));
        Assert.ThrowsAsync<BrokenCircuitException>(async () => await SucceedAsync(circuit), "a second caller fails fast while the probe is out");

        answer.SetResult(1);
        await probe;

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
        Assert.That(Events(), Is.EqualTo(new[] { "CircuitOpened", "CircuitHalfOpen", "CircuitClosed" }));
    }

    [Test]
    public async Task ProbeFails_OpensForAnotherBreak()
    {
        var circuit = Create(threshold: 2);
        await FailAsync(circuit, 2);
        _time.Advance(Break);

        await FailAsync(circuit, 1);

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Open));
        Assert.That(circuit.RetryAfter, Is.EqualTo(Break));
        Assert.That(Events(), Is.EqualTo(new[] { "CircuitOpened", "CircuitHalfOpen", "CircuitReopened" }));
    }

    [Test]
    public async Task LateSuccessOfACallStartedBeforeTheBreak_ChangesNothing()
    {
        var circuit = Create(threshold: 2);
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var early = circuit.Pipeline.ExecuteAsync(_ => new ValueTask<int>(answer.Task)).AsTask();
        await FailAsync(circuit, 2);

        answer.SetResult(1);
        await early;

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Open), "a late success does not close the circuit");
    }

    [Test]
    public async Task CloseAfterReconnect_ClosesAtOnce()
    {
        var circuit = Create(threshold: 2);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        circuit.Closed += () => closed.TrySetResult();
        await FailAsync(circuit, 2);

        circuit.CloseAfterReconnect();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
        Assert.That(await SucceedAsync(circuit), Is.EqualTo(1));
    }

    [Test]
    public void TransportFailures_AreWhatTheBreakerCounts()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RedisCircuit.IsTransportFailure(FaultyRedis.Down()), Is.True);
            Assert.That(RedisCircuit.IsTransportFailure(FaultyRedis.Slow()), Is.True);
            Assert.That(RedisCircuit.IsTransportFailure(new ObjectDisposedException("connection")), Is.True, "StackExchange.Redis fails commands on a connection it tears down so");
            Assert.That(RedisCircuit.IsTransportFailure(ErrorReply()), Is.False);
            Assert.That(RedisCircuit.IsTransportFailure(new OperationCanceledException()), Is.False);
        });
    }

    [Test]
    public async Task DirectCalls_FailuresReported_OpenTheCircuitAndStopDirectCalls()
    {
        var circuit = Create(threshold: 2);
        Assert.That(circuit.AllowsDirectCalls, Is.True);

        await circuit.ReportDirectAsync(FaultyRedis.Down());
        await circuit.ReportDirectAsync(FaultyRedis.Down());

        Assert.Multiple(() =>
        {
            Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Open));
            Assert.That(circuit.AllowsDirectCalls, Is.False, "an open circuit sends calls through the pipeline (fail fast, then one probe)");
        });
    }

    [Test]
    public async Task DirectCalls_SuccessAfterAFailure_IsReported_AndBreaksTheRun()
    {
        var circuit = Create(threshold: 2);

        await FailAsync(circuit, 1);
        await circuit.ReportDirectAsync(null);
        await FailAsync(circuit, 1);

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed), "the direct success after the failure reached Polly's window");
    }

    [Test]
    public async Task DirectCalls_ErrorReplyAndCancellation_AreNotFailures()
    {
        var circuit = Create(threshold: 2);
#pragma warning disable CS0618 // The message-only constructor is what an error reply looks like here; kind and flags do not matter to the breaker.
        var errorReply = new RedisServerException("ERR wrong");
#pragma warning restore CS0618

        await circuit.ReportDirectAsync(errorReply);
        await circuit.ReportDirectAsync(new OperationCanceledException());
        await circuit.ReportDirectAsync(errorReply);

        Assert.That(circuit.State, Is.EqualTo(RedisCircuitState.Closed));
    }

    private RedisCircuit Create(int threshold) =>
        new("test:1", new RedisCircuitBreakerOptions { FailureThreshold = threshold, SamplingDuration = Sampling, BreakDuration = Break }, _time, _logs.CreateFactory().CreateLogger("circuit"), RedisMetrics.Shared);

    private static async Task FailAsync(RedisCircuit circuit, int times)
    {
        for (var i = 0; i < times; i++)
        {
            try
            {
                await RunAsync(circuit, () => throw FaultyRedis.Down());
            }
            catch (RedisConnectionException)
            {
                // The failure the breaker counts.
            }
        }
    }

#pragma warning disable CS0618 // The message-only constructor is enough for an error reply made up by a test.
    private static RedisServerException ErrorReply() => new("ERR injected");
#pragma warning restore CS0618

    private static ValueTask<int> SucceedAsync(RedisCircuit circuit) => RunAsync(circuit, () => 1);

    private static ValueTask<int> RunAsync(RedisCircuit circuit, Func<int> call) =>
        circuit.Pipeline.ExecuteAsync(static (call, _) => new ValueTask<int>(call()), call);

    private string?[] Events() => _logs.Entries.Select(e => e.EventId.Name).ToArray();
}
