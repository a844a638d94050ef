using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Testing.CrashApp;

/// <summary>
/// Registered before Stockpile's interceptor, so EF Core calls it first once a transaction has committed: when armed,
/// it kills this process (SIGKILL) there, after COMMIT and before Stockpile's eviction. Test code, not product code.
/// </summary>
public sealed class KillAfterCommit : DbTransactionInterceptor
{
    public bool Armed { get; set; }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => KillIfArmed();

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        KillIfArmed();
        return Task.CompletedTask;
    }

    /// <summary>Says so on standard output, then kills this process (SIGKILL): nothing after this line runs.</summary>
    public static void KillNow()
    {
        Console.Out.WriteLine("committed; killing");
        Console.Out.Flush();
        Process.GetCurrentProcess().Kill();
    }

    private void KillIfArmed()
    {
        if (Armed)
        {
            KillNow();
        }
    }
}
