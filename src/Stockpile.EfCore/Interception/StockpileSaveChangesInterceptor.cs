using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>
/// Feeds each SaveChanges to the coordinator: capture before, apply or hold after, drop on failure or cancellation. The saves an
/// <see cref="EfCoreStore{TContext}"/> makes for a chain's write are the chain's to apply (<see cref="StoreSaves"/>).
/// </summary>
internal sealed class StockpileSaveChangesInterceptor(CommitCoordinator coordinator) : SaveChangesInterceptor
{
    public CommitCoordinator Coordinator { get; } = coordinator;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Coordinator.OnSaving(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Coordinator.OnSaving(eventData.Context);
        return new(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SyncOverAsync.Wait(Coordinator.OnSavedAsync(eventData.Context));
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Not canceled: the data is committed, and a cache left half-updated would serve the old state.
        await Coordinator.OnSavedAsync(eventData.Context).ConfigureAwait(false);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Coordinator.OnFailed(eventData.Context);

    // A concurrency failure is not reported to SaveChangesFailed: EF Core calls this hook before it throws.
    public override InterceptionResult ThrowingConcurrencyException(ConcurrencyExceptionEventData eventData, InterceptionResult result)
    {
        Coordinator.OnFailed(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Coordinator.OnFailed(eventData.Context);
        return new(result);
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Coordinator.OnFailed(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Coordinator.OnFailed(eventData.Context);
        return Task.CompletedTask;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Coordinator.OnFailed(eventData.Context);
        return Task.CompletedTask;
    }
}
