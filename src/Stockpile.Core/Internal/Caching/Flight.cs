namespace Stockpile.Internal.Caching;

/// <summary>One key being made: its waiters await <see cref="Completion"/>; the factory call belongs to <see cref="Group"/>.</summary>
internal sealed class Flight(FlightGroup group)
{
    public FlightGroup Group { get; } = group;

    /// <summary>Completes with the value made (or its absence), the factory's exception, or a cancellation.</summary>
    public TaskCompletionSource<(bool Made, object? Value)> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
