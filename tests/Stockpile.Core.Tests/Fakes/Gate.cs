namespace Stockpile.Tests.Fakes;

/// <summary>Holds one call at a point until the test releases it, and tells the test when the call got there.</summary>
public sealed class Gate
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits (bounded) until a call is held at the gate.</summary>
    public Task WaitUntilEnteredAsync() => _entered.Task.WaitAsync(s_bound);

    public void Release() => _released.TrySetResult();

    internal async Task PassAsync()
    {
        _entered.TrySetResult();
        await _released.Task.WaitAsync(s_bound);
    }
}
