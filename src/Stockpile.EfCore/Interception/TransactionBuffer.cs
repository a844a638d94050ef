using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Transactions;

namespace Stockpile.Internal;

/// <summary>
/// The changes saved inside one transaction, held until it ends: applied at commit, dropped at rollback. Shared by every
/// context and interceptor that uses the transaction, so a commit through any of them applies them all.
/// </summary>
internal sealed class TransactionBuffer
{
    private static readonly ConditionalWeakTable<DbTransaction, TransactionBuffer> s_database = new();
    private static readonly ConditionalWeakTable<Transaction, TransactionBuffer> s_ambient = new();

    private readonly object _lock = new();
    private readonly List<CommitBatch> _batches = [];

    public static TransactionBuffer For(DbTransaction transaction) => s_database.GetValue(transaction, static _ => new TransactionBuffer());

    public static TransactionBuffer? Find(DbTransaction transaction) => s_database.TryGetValue(transaction, out var buffer) ? buffer : null;

    public static TransactionBuffer? Take(DbTransaction transaction) =>
        s_database.TryGetValue(transaction, out var buffer) && s_database.Remove(transaction) ? buffer : null;

    /// <summary>Gets the buffer of an ambient transaction; the first call subscribes to its completion.</summary>
    public static TransactionBuffer For(Transaction transaction)
    {
        if (s_ambient.TryGetValue(transaction, out var existing))
        {
            return existing;
        }

        var buffer = new TransactionBuffer();
        s_ambient.Add(transaction, buffer);

        // The event's transaction may be another instance than the one seen at save time: keep the buffer in the closure.
        transaction.TransactionCompleted += (_, e) =>
        {
            s_ambient.Remove(transaction);
            CommitCoordinator.Complete(buffer, (e.Transaction ?? transaction).TransactionInformation.Status);
        };
        return buffer;
    }

    /// <summary>Adds the changes of a save; with a ticket begun (ambient transactions), the ticket claims their rows now.</summary>
    public void Add(CommitBatch saved, bool claimNow)
    {
        lock (_lock)
        {
            var batch = _batches.Find(b => b.Coordinator == saved.Coordinator);
            if (batch is null)
            {
                _batches.Add(batch = new CommitBatch(saved.Coordinator, []));
            }

            batch.Changes.AddRange(saved.Changes);
            batch.Types.UnionWith(saved.Types);
            batch.Keys.UnionWith(saved.Keys);
            batch.UntrackedTypes.UnionWith(saved.UntrackedTypes);
            batch.Tables.UnionWith(saved.Tables);
            if (saved.OutboxRow is { } row)
            {
                // Written at the save (an ambient transaction): deleted once the transaction's batch is applied.
                (batch.SavedOutboxRows ??= []).Add(row);
            }

            if (claimNow)
            {
                var stripes = saved.Stripes(keysFinal: true);
                if (batch.Ticket is null)
                {
                    batch.Ticket = saved.Coordinator.Tracker.Begin(stripes);
                }
                else
                {
                    saved.Coordinator.Tracker.Extend(batch.Ticket, stripes ?? []);

                    // Whole types changed (a bulk statement): no write-through of this transaction may be trusted.
                    batch.Ticket.Contended |= stripes is null;
                }
            }
        }
    }

    /// <summary>Claims the rows of every batch: the transaction is about to commit.</summary>
    public void BeginCommit()
    {
        lock (_lock)
        {
            foreach (var batch in _batches)
            {
                batch.Ticket ??= batch.Coordinator.Tracker.Begin(batch.Stripes(keysFinal: true));
            }
        }
    }

    public void Demote()
    {
        lock (_lock)
        {
            _batches.ForEach(static b => b.Demote());
        }
    }

    public CommitBatch[] Batches()
    {
        lock (_lock)
        {
            return [.. _batches];
        }
    }
}
