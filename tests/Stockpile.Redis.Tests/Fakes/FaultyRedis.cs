using System.Collections.Concurrent;
using System.Reflection;
using StackExchange.Redis;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>
/// Wraps a real multiplexer's database and subscriber, the way FusionCache's chaos cache wraps a cache: counts the
/// calls made through them (one per command), and fails every async call on demand with the exceptions
/// StackExchange.Redis throws when Redis is away or slow. Does not own the multiplexer.
/// </summary>
internal sealed class FaultyRedis(IConnectionMultiplexer multiplexer)
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<NextHold> _holds = new();
    private int _calls;

    public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

    /// <summary>Gets or sets what every async call fails with; <see langword="null"/> to pass calls through.</summary>
    public Func<Exception>? Fault { get; set; }

    /// <summary>
    /// Gets or sets which async calls (by method and arguments) are held: each is sent, but its reply reaches the caller
    /// only after <see cref="ReleaseHeld"/>; <see langword="null"/> to hold none.
    /// </summary>
    public Func<MethodInfo, object?[]?, bool>? Hold { get; set; }

    /// <summary>
    /// Gets or sets what every async call awaits before it is sent: given the method's name and arguments, a task
    /// (completed to let the call through at once). Holds one step of a store's operation where the test needs another
    /// operation to land; <see langword="null"/> for none.
    /// </summary>
    public Func<string, object?[], Task>? Before { get; set; }

    /// <summary>Gets how many async calls (round trips) were made since the last <see cref="Reset"/>.</summary>
    public int RoundTrips => Volatile.Read(ref _calls);

    /// <summary>Gets the names of the calls (<c>ScriptEvaluateAsync</c>, …) made since the last <see cref="Reset"/>, in order.</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    public static Exception Down() => new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "Redis is down (injected).", null, CommandStatus.Unknown);

    public static Exception Slow() => new RedisTimeoutException(CommandFlags.None, "Redis did not answer in time (injected).", CommandStatus.Unknown);

    /// <summary>Lets the replies of the calls <see cref="Hold"/> kept back (and of any held later) reach their callers.</summary>
    public void ReleaseHeld() => _released.TrySetResult();

    /// <summary>
    /// Holds the next async call named <paramref name="method"/> (<c>ScriptEvaluateAsync</c>, <c>StringSetAsync</c>, …)
    /// before it reaches Redis, until the returned source is completed; a fault set by then fails it as any call.
    /// </summary>
    /// <returns>A task that completes when the held call arrives, and the source that lets it go on.</returns>
    public (Task Reached, TaskCompletionSource Release) HoldNext(string method)
    {
        var hold = new NextHold(method);
        _holds.Enqueue(hold);
        return (hold.Reached.Task, hold.Release);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _calls, 0);
        Commands.Clear();
    }

    public IDatabase Database(IConnectionMultiplexer inner) => Wrap(inner.GetDatabase());

    public ISubscriber Subscriber(IConnectionMultiplexer inner) => Wrap(inner.GetSubscriber());

    private T Wrap<T>(T inner)
        where T : class
    {
        var proxy = DispatchProxy.Create<T, Interceptor>();
        var interceptor = (Interceptor)(object)proxy;
        interceptor.Inner = inner;
        interceptor.Owner = this;
        return proxy;
    }

    /// <summary>Forwards every call; an async one (a task) counts, and fails when a fault is set.</summary>
    #pragma warning disable CA1852 // DispatchProxy derives from it at run time.
    internal class Interceptor : DispatchProxy
#pragma warning restore CA1852
    {
        public object Inner { get; set; } = null!;

        public FaultyRedis Owner { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (typeof(Task).IsAssignableFrom(targetMethod.ReturnType))
            {
                Interlocked.Increment(ref Owner._calls);
                Owner.Commands.Enqueue(targetMethod.Name);
                if (Owner.Fault is { } fault)
                {
                    return Faulted(targetMethod.ReturnType, fault());
                }

                if (Owner._holds.TryPeek(out var next) && next.Method == targetMethod.Name && Owner._holds.TryDequeue(out next))
                {
                    next.Reached.TrySetResult();
                    return Gated(targetMethod, args, next.Release.Task, faultWhenLetGo: true);
                }

                if (Owner.Before?.Invoke(targetMethod.Name, args ?? []) is { IsCompleted: false } gate)
                {
                    return Gated(targetMethod, args, gate, faultWhenLetGo: false);
                }
            }

            return Forward(targetMethod, args);
        }

        /// <summary>Sends the call (and holds its reply when <see cref="Hold"/> says so).</summary>
        private object? Forward(MethodInfo targetMethod, object?[]? args)
        {
            try
            {
                var result = targetMethod.Invoke(Inner, args);
                return result is Task reply && Owner.Hold is { } hold && hold(targetMethod, args) ? Held(targetMethod.ReturnType, reply, Owner._released.Task) : result;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }
        }

        /// <summary>
        /// Sends the call once <paramref name="gate"/> completes (failed instead when <paramref name="faultWhenLetGo"/> and a
        /// fault is set by then); returns a task of the method's own type.
        /// </summary>
        private object Gated(MethodInfo targetMethod, object?[]? args, Task gate, bool faultWhenLetGo)
        {
            var taskType = targetMethod.ReturnType;
            if (!taskType.IsGenericType)
            {
                return GatedAsync(gate, targetMethod, args, faultWhenLetGo);
            }

            var gated = typeof(Interceptor).GetMethod(nameof(GatedOfAsync), BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(taskType.GetGenericArguments()[0]);
            return gated.Invoke(this, [gate, targetMethod, args, faultWhenLetGo])!;
        }

        private async Task GatedAsync(Task gate, MethodInfo targetMethod, object?[]? args, bool faultWhenLetGo)
        {
            await gate;
            if (faultWhenLetGo && Owner.Fault is { } fault)
            {
                throw fault();
            }

            await (Task)Forward(targetMethod, args)!;
        }

        private async Task<T> GatedOfAsync<T>(Task gate, MethodInfo targetMethod, object?[]? args, bool faultWhenLetGo)
        {
            await gate;
            if (faultWhenLetGo && Owner.Fault is { } fault)
            {
                throw fault();
            }

            return await (Task<T>)Forward(targetMethod, args)!;
        }

        private static object Held(Type taskType, Task reply, Task released)
        {
            if (!taskType.IsGenericType)
            {
                return HeldAsync(reply, released);
            }

            var held = typeof(Interceptor).GetMethod(nameof(HeldReplyAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
            return held.MakeGenericMethod(taskType.GetGenericArguments()[0]).Invoke(null, [reply, released])!;
        }

        private static async Task HeldAsync(Task reply, Task released)
        {
            await released;
            await reply;
        }

        private static async Task<T> HeldReplyAsync<T>(Task<T> reply, Task released)
        {
            await released;
            return await reply;
        }

        private static object Faulted(Type taskType, Exception exception)
        {
            if (!taskType.IsGenericType)
            {
                return Task.FromException(exception);
            }

            var fromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
            return fromException.MakeGenericMethod(taskType.GetGenericArguments()[0]).Invoke(null, [exception])!;
        }
    }

    private sealed record NextHold(string Method)
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
