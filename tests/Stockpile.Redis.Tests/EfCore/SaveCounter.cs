using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>Counts the SaveChanges calls that reach the database.</summary>
internal sealed class SaveCounter : SaveChangesInterceptor
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Interlocked.Increment(ref _count);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _count);
        return new(result);
    }
}
