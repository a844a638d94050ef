using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Stockpile.Internal;

/// <summary>
/// The tables of one model as they appear in SQL (delimited, schema-qualified), each with the cached entity types it
/// holds: what an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> statement may have changed. Built once per model.
/// </summary>
/// <remarks>
/// Every table the statement names counts (its target, and any table a subquery reads), so the types dropped are a
/// superset of those changed: always safe. Owned types count as their aggregate roots.
/// </remarks>
internal sealed class BulkTables
{
    private static readonly ConditionalWeakTable<ModelKeyResolver, BulkTables> s_tables = new();

    private readonly (string Sql, Type[] Types)[] _tables;

    private BulkTables((string Sql, Type[] Types)[] tables)
    {
        _tables = tables;
    }

    public static BulkTables For(DbContext context, ModelKeyResolver resolver) =>
        s_tables.TryGetValue(resolver, out var tables) ? tables : s_tables.GetValue(resolver, r => Build(context, r));

    /// <summary>Gets the cached entity types whose tables the statement names.</summary>
    public IEnumerable<Type> TypesIn(string sql)
    {
        foreach (var (name, types) in _tables)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                foreach (var type in types)
                {
                    yield return type;
                }
            }
        }
    }

    private static BulkTables Build(DbContext context, ModelKeyResolver resolver)
    {
        var helper = context.GetService<ISqlGenerationHelper>();
        var tables = new Dictionary<string, HashSet<Type>>(StringComparer.Ordinal);
        foreach (var entityType in resolver.Model.GetEntityTypes())
        {
            var root = entityType;
            while (root.FindOwnership() is { } ownership)
            {
                root = ownership.PrincipalEntityType;
            }

            StockpileEntityType? cached;
            try
            {
                cached = resolver.Resolve(root);
            }
            catch (Exception ex) when (ex is StockpileMappingException or StockpileKeyException)
            {
                continue;
            }

            if (cached is null)
            {
                continue;
            }

            foreach (var mapping in entityType.GetTableMappings())
            {
                var name = helper.DelimitIdentifier(mapping.Table.Name, mapping.Table.Schema);
                if (!tables.TryGetValue(name, out var types))
                {
                    tables[name] = types = [];
                }

                types.Add(cached.ClrType);
            }
        }

        return new BulkTables([.. tables.Select(static t => (t.Key, t.Value.ToArray()))]);
    }
}
