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
    private readonly ConcurrentQueue<Hold> _holds = new();
    private int _calls;

    public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

    /// <summary>Gets or sets what every async call fails with; <see langword="null"/> to pass calls through.</summary>
    public Func<Exception>? Fault { get; set; }

    /// <summary>Gets how many async calls (round trips) were made since the last <see cref="Reset"/>.</summary>
    public int RoundTrips => Volatile.Read(ref _calls);

    /// <summary>Gets the names of the calls (<c>ScriptEvaluateAsync</c>, …) made since the last <see cref="Reset"/>, in order.</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    public static Exception Down() => new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "Redis is down (injected).", null, CommandStatus.Unknown);

    public static Exception Slow() => new RedisTimeoutException(CommandFlags.None, "Redis did not answer in time (injected).", CommandStatus.Unknown);

    /// <summary>
    /// Holds the next async call named <paramref name="method"/> (<c>ScriptEvaluateAsync</c>, <c>StringSetAsync</c>, …)
    /// before it reaches Redis, until the returned source is completed; a fault set by then fails it as any call.
    /// </summary>
    /// <returns>A task that completes when the held call arrives, and the source that lets it go on.</returns>
    public (Task Reached, TaskCompletionSource Release) HoldNext(string method)
    {
        var hold = new Hold(method);
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

                if (Owner._holds.TryPeek(out var hold) && hold.Method == targetMethod.Name && Owner._holds.TryDequeue(out hold))
                {
                    hold.Reached.TrySetResult();
                    return Held(targetMethod, hold.Release.Task.ContinueWith(_ => Owner.Fault is { } late ? Faulted(targetMethod.ReturnType, late()) : targetMethod.Invoke(Inner, args), TaskScheduler.Default));
                }
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }
        }

        /// <summary>The call's own task type over the task the call, once let go, returns.</summary>
        private static object Held(MethodInfo method, Task<object?> later)
        {
            if (!method.ReturnType.IsGenericType)
            {
                return Run(later);
            }

            var unwrap = typeof(Interceptor).GetMethod(nameof(Unwrap), BindingFlags.NonPublic | BindingFlags.Static)!;
            return unwrap.MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).Invoke(null, [later])!;
        }

        private static async Task Run(Task<object?> later) => await (Task)(await later)!;

        private static async Task<T> Unwrap<T>(Task<object?> later) => await (Task<T>)(await later)!;

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

    private sealed record Hold(string Method)
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
