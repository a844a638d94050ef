using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stockpile.Internal;

/// <summary>
/// The heart of the interceptor: captures what a save changes, holds it while a transaction is open, and updates the
/// chain's cache tiers once the data is committed (never before, never after a failure or a rollback).
/// </summary>
internal sealed partial class CommitCoordinator
{
    private readonly Func<ChainedStore> _resolveChain;
    private readonly ConditionalWeakTable<DbContext, ContextState> _contexts = new();
    private readonly ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, object> _checkedModels = new();
    private readonly ILogger _logger;
    private readonly StockpileMetrics _metrics;
    private ChainedStore? _chain;

    public CommitCoordinator(Func<ChainedStore> resolveChain, StockpileInterceptorOptions options, ILogger? logger, StockpileMetrics? metrics)
    {
        _resolveChain = resolveChain;
        Options = options;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics ?? StockpileMetrics.Shared;
    }

    public StockpileInterceptorOptions Options { get; }

    public ChainedStore Chain => _chain ??= _resolveChain() ?? throw new InvalidOperationException("The Stockpile interceptor found no ChainedStore to keep in sync.");

    public CommitTracker Tracker => CommitTracker.For(Chain);

    /// <summary>
    /// Before the save: capture the changes once EF Core has detected them (see <c>CommitCoordinator.Detection.cs</c>), or
    /// now when it will detect none; a save in no transaction claims its rows at the capture, since it commits inside.
    /// </summary>
    public void OnSaving(DbContext? context)
    {
        if (context is null || StoreSaves.IsStoreSave(context))
        {
            // A store's own save is a chain write: the chain updates the caches and tells other instances. The tables
            // it writes still drop the cached queries that read them, and the tokens of its rows still change.
            HoldStoreSave(context);
            return;
        }

        var state = _contexts.GetValue(context, static _ => new ContextState());

        if (state.Pending is { } abandoned)
        {
            state.Pending = null;
            Discard(abandoned, "the previous save ended without an outcome reaching the interceptor");
        }

        if (!CaptureAtDetection(context, state))
        {
            CaptureNow(context, state);
        }
    }

    /// <summary>Captures the save's changes now (replacing what an earlier detection in the same save captured), and claims its rows when it commits inside.</summary>
    /// <param name="context">The context saving.</param>
    /// <param name="state">The context's save state.</param>
    /// <param name="atDetection">Whether EF Core has just detected the save's changes (see <c>CommitCoordinator.Detection.cs</c>).</param>
    private void CaptureNow(DbContext context, ContextState state, bool atDetection = false)
    {
        var resolver = ModelKeyResolver.For(context, Options.UseModelKeys);
        CheckPolicies(resolver);
        CommitBatch? batch;
        try
        {
            batch = Capture(context, resolver, atDetection);
            if (batch is not null && context.Database.CurrentTransaction is null && System.Transactions.Transaction.Current is null)
            {
                batch.Ticket = Tracker.Begin(batch.Stripes(keysFinal: false));
            }
        }
        catch (Exception ex)
        {
            // A cache concern never fails the save: the types it changes are dropped whole once it commits.
            batch = TypesOnly(context, resolver);
            Log.CaptureFailed(_logger, string.Join(", ", batch.Types.Select(TypeNames.Display)), ex);
        }

        state.Pending = WithTables(context, batch);
        PrepareOutbox(context, state.Pending);
    }

    /// <summary>After the save: apply now when it committed, or hold the changes until its transaction ends.</summary>
    public ValueTask OnSavedAsync(DbContext? context)
    {
        if (context is not null)
        {
            RestoreTransactions(context);
        }

        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return default;
        }

        EndDetection(context, state);
        if (state.Pending is not { } batch)
        {
            return default;
        }

        state.Pending = null;
        try
        {
            Complete(context, batch);
        }
        catch (Exception ex)
        {
            batch.Demote();
            Log.CaptureFailed(_logger, string.Join(", ", batch.Changes.Select(static c => TypeNames.Display(c.EntityType.ClrType)).Distinct()), ex);
        }

        return ApplyOrHoldAsync(context, batch);
    }

    /// <summary>Applies what committed now, or holds it for the end of the context's transaction (explicit or ambient).</summary>
    private ValueTask ApplyOrHoldAsync(DbContext context, CommitBatch batch)
    {
        if (context.Database.CurrentTransaction is { } transaction)
        {
            TransactionBuffer.For(transaction.GetDbTransaction()).Add(batch, claimNow: false);
            return default;
        }

        if (System.Transactions.Transaction.Current is { } ambient)
        {
            return HoldForAmbientAsync(context, batch, ambient);
        }

        return ApplyAsync(batch);
    }

    /// <summary>A failed save wrote nothing that will commit; inside a transaction its rows are still evicted at commit, which is always safe.</summary>
    public void OnFailed(DbContext? context)
    {
        if (context is not null)
        {
            RestoreTransactions(context);
        }

        if (context is null || !_contexts.TryGetValue(context, out var state))
        {
            return;
        }

        EndDetection(context, state);
        if (state.Pending is not { } batch)
        {
            return;
        }

        state.Pending = null;
        batch.Demote();

        // A batch with a ticket began outside any transaction: the transaction open now (a concurrency failure is
        // reported before EF Core disposes it) is the save's own, and it will not commit.
        if (batch.Ticket is null && context.Database.CurrentTransaction is { } transaction)
        {
            TransactionBuffer.For(transaction.GetDbTransaction()).Add(batch, claimNow: false);
        }
        else if (batch.Ticket is null && System.Transactions.Transaction.Current is { } ambient)
        {
            TransactionBuffer.For(ambient).Add(batch, claimNow: true);
        }
        else
        {
            Discard(batch, "the save failed");
        }
    }

    public void Discard(CommitBatch batch, string reason)
    {
        if (batch.Ticket is { } ticket)
        {
            Tracker.End(ticket);
        }

        Log.ChangesDiscarded(_logger, batch.Changes.Count, reason);
    }

    private sealed class ContextState
    {
        public CommitBatch? Pending { get; set; }

        /// <summary>Gets or sets a value indicating whether a save is under way whose changes are captured when EF Core has detected them.</summary>
        public bool AwaitingDetection { get; set; }
    }
}
