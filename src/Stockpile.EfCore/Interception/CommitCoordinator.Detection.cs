using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stockpile.Internal;

/// <content>
/// When a save's changes are captured. EF Core detects changes after every <c>SavingChanges</c> interceptor has run and
/// before it writes: the capture waits for that detection (<see cref="ChangeTracker.DetectedAllChanges"/>) instead of
/// detecting once more on its own, and so also sees what an interceptor registered after Stockpile's changed. A save
/// that detects nothing (automatic detection off, or a model whose types all notify their changes) is captured in
/// Stockpile's <c>SavingChanges</c>, where the entries are already what the save writes.
/// </content>
internal sealed partial class CommitCoordinator
{
    private static readonly ConditionalWeakTable<IModel, StrongBox<bool>> DetectingModels = new();

    private EventHandler<DetectedChangesEventArgs>? _detected;

    /// <summary>Arranges the capture at EF Core's detection of this save's changes; <see langword="false"/> when the save will detect none.</summary>
    private bool CaptureAtDetection(DbContext context, ContextState state)
    {
        var tracker = context.ChangeTracker;
        if (!tracker.AutoDetectChangesEnabled || !DetectsChanges(context.Model))
        {
            return false;
        }

        // A pooled context's events are cleared when it goes back to the pool: subscribe per save, never twice.
        var detected = _detected ??= OnDetectedAllChanges;
        tracker.DetectedAllChanges -= detected;
        tracker.DetectedAllChanges += detected;
        state.AwaitingDetection = true;
        return true;
    }

    /// <summary>
    /// EF Core detected the changes (it runs this with automatic detection off, so enumerating the entries detects
    /// nothing again). Outside a save this captures nothing; a second detection in the same save (an interceptor after
    /// Stockpile's asked for the entries, then SaveChanges detected) captures again, and the last one is what is written.
    /// </summary>
    private void OnDetectedAllChanges(object? sender, DetectedChangesEventArgs e)
    {
        if (sender is not ChangeTracker { Context: { } context } || !_contexts.TryGetValue(context, out var state) || !state.AwaitingDetection)
        {
            return;
        }

        if (state.Pending is { Ticket: { } earlier })
        {
            Tracker.End(earlier);
        }

        state.Pending = null;
        CaptureNow(context, state, atDetection: true);
    }

    /// <summary>
    /// Whether EF Core's <c>DetectChanges</c> runs for this model: it skips it (and raises no event) when no entity type
    /// keeps snapshots, i.e. every type notifies its changes (EF Core's <c>ChangeTrackingStrategyConvention</c>).
    /// </summary>
    private static bool DetectsChanges(IModel model) =>
        DetectingModels.GetValue(model, static m => new StrongBox<bool>(m.GetEntityTypes().Any(static t => t.GetChangeTrackingStrategy() == ChangeTrackingStrategy.Snapshot))).Value;

    /// <summary>The save ended (whatever its outcome): later detections on this context capture nothing.</summary>
    private void EndDetection(DbContext context, ContextState state)
    {
        if (state.AwaitingDetection)
        {
            state.AwaitingDetection = false;
            context.ChangeTracker.DetectedAllChanges -= _detected;
        }
    }
}
