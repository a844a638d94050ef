using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>
    /// An <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> statement ran. When its predicate pinned a key of its entity type
    /// (a <see cref="BulkKeyPlan"/> was made for its shape) exactly those keys are evicted; otherwise, and for every other
    /// cached type whose table the SQL names, the type is dropped whole. Either happens once the statement commits (at
    /// once outside a transaction, at commit inside one, never after a rollback). Never throws: the statement has run.
    /// </summary>
    public ValueTask OnBulkExecutedAsync(DbContext context, DbCommand command) =>
        BulkBatch(context, command) is { } batch ? ApplyOrHoldAsync(context, batch) : default;

    /// <summary>What a bulk statement changes, or <see langword="null"/> when it changes nothing cached (or cannot be read: then logged).</summary>
    private CommitBatch? BulkBatch(DbContext context, DbCommand command)
    {
        var batch = new CommitBatch(this, []);
        try
        {
            var resolver = ModelKeyResolver.For(context, Options.UseModelKeys);
            List<EntityKey>? keys;
            try
            {
                keys = KeysPinned(context, resolver, command);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not readable with certainty: the type is dropped whole, as for any other predicate.
                Failed(ex);
                keys = null;
            }

            foreach (var type in BulkTables.For(context, resolver).TypesIn(command.CommandText))
            {
                if (keys is not null && type == keys[0].EntityType.ClrType)
                {
                    batch.Keys.UnionWith(keys);
                }
                else
                {
                    batch.InvalidateTypes(type);
                }
            }
        }
        catch (Exception ex)
        {
            Failed(ex);
            return null;
        }

        return batch.IsEmpty ? null : batch;
    }

    /// <summary>The keys the statement's plan pins, read from its parameters; <see langword="null"/> when not certain.</summary>
    private static List<EntityKey>? KeysPinned(DbContext context, ModelKeyResolver resolver, DbCommand command)
    {
        if (BulkKeyPlan.For(context, command.CommandText) is not { } plan
            || resolver.Model.FindEntityType(plan.ClrType) is not { } entityType
            || resolver.Resolve(entityType) is not { } cached
            || plan.KeyFor(cached) is not var (key, sources)
            || BulkKeyPlan.ReadKeys(sources, command.Parameters, key.ValueTypes, plan.QueryParameters) is not { } values)
        {
            return null;
        }

        return [.. values.Select(v => EntityKey.Of(plan.ClrType, key.Name, v))];
    }
}
