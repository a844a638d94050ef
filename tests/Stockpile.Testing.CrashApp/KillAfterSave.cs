using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Testing.CrashApp;

/// <summary>
/// Registered before Stockpile's interceptor, so EF Core calls it first once a save (its own transaction committed)
/// has completed: when armed, it kills this process there. Used for a chain's write through the EF Core store, killed
/// after the database took it and before the chain wrote Redis. Test code, not product code.
/// </summary>
public sealed class KillAfterSave : SaveChangesInterceptor
{
    public bool Armed { get; set; }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        KillIfArmed();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        KillIfArmed();
        return new(result);
    }

    private void KillIfArmed()
    {
        if (Armed)
        {
            KillAfterCommit.KillNow();
        }
    }
}
