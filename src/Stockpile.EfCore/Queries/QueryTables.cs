using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Stockpile.Internal;

/// <summary>
/// The tables of one model, each with the tag its cached query results carry (<c>stockpile.table:</c> and its SQL name):
/// which tables a query's SQL reads, and which tables a change to an entity writes. Built once per model.
/// </summary>
/// <remarks>
/// Every direction errs towards more: a table named anywhere in a query's SQL counts as read; a view, a function or SQL
/// that names no known table counts as reading every table; a deleted row counts as writing the tables of every entity
/// type that references it, at any depth (the database may cascade the delete).
/// </remarks>
internal sealed class QueryTables
{
    public const string TagPrefix = "stockpile.table:";

    private static readonly ConditionalWeakTable<IModel, QueryTables> s_tables = new();

    private readonly (string Delimited, string Bare, string Tag)[] _tables;
    private readonly string[] _views;
    private readonly ConcurrentDictionary<(IEntityType, bool), string[]> _written = new();

    private QueryTables((string Delimited, string Bare, string Tag)[] tables, string[] views)
    {
        _tables = tables;
        _views = views;
        AllTags = [.. tables.Select(static t => t.Tag).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Gets the tag of every table of the model.</summary>
    public string[] AllTags { get; }

    public static QueryTables For(DbContext context)
    {
        var model = context.Model;
        return s_tables.TryGetValue(model, out var tables) ? tables : s_tables.GetValue(model, _ => Build(context));
    }

    /// <summary>The tags of the tables a command names; <paramref name="lenient"/> (raw SQL) also matches undelimited names, in any case.</summary>
    public IEnumerable<string> TagsIn(string sql, bool lenient)
    {
        var found = false;
        foreach (var view in _views)
        {
            if (sql.Contains(view, lenient ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                return AllTags;
            }
        }

        var tags = new List<string>();
        foreach (var (delimited, bare, tag) in _tables)
        {
            if (sql.Contains(delimited, StringComparison.Ordinal) || (lenient && sql.Contains(bare, StringComparison.OrdinalIgnoreCase)))
            {
                tags.Add(tag);
                found = true;
            }
        }

        return found ? tags : AllTags;
    }

    /// <summary>The tags of the tables a change to an entity of this type writes (with the tables that may cascade, for a delete).</summary>
    public string[] TagsWritten(IEntityType entityType, bool deleted) => _written.GetOrAdd((entityType, deleted), static (key, self) =>
    {
        var tags = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<IEntityType>([key.Item1]);
        var seen = new HashSet<IEntityType>();
        while (pending.TryPop(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            foreach (var related in type.GetAllBaseTypesInclusive().Concat(type.GetDerivedTypes()))
            {
                foreach (var mapping in related.GetTableMappings())
                {
                    tags.Add(TagOf(mapping.Table.Name, mapping.Table.Schema));
                }

                if (key.Item2)
                {
                    // Rows that reference a deleted row may be deleted or nulled by the database itself.
                    foreach (var reference in related.GetReferencingForeignKeys())
                    {
                        pending.Push(reference.DeclaringEntityType);
                    }

                    foreach (var navigation in related.GetNavigations().Where(static n => n.TargetEntityType.IsOwned()))
                    {
                        pending.Push(navigation.TargetEntityType);
                    }
                }
            }
        }

        return [.. tags];
    }, this);

    private static string TagOf(string name, string? schema) => TagPrefix + (schema is null ? name : schema + "." + name);

    private static QueryTables Build(DbContext context)
    {
        var helper = context.GetService<ISqlGenerationHelper>();
        var tables = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        var views = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entityType in context.Model.GetEntityTypes())
        {
            foreach (var mapping in entityType.GetTableMappings())
            {
                var table = mapping.Table;
                var delimited = helper.DelimitIdentifier(table.Name, table.Schema);
                tables.TryAdd(delimited, (delimited, table.Name, TagOf(table.Name, table.Schema)));
            }

            foreach (var mapping in entityType.GetViewMappings())
            {
                views.Add(helper.DelimitIdentifier(mapping.View.Name, mapping.View.Schema));
            }

            foreach (var mapping in entityType.GetSqlQueryMappings().Select(static m => m.SqlQuery.Name).Concat(entityType.GetFunctionMappings().Select(static m => m.StoreFunction.Name)))
            {
                views.Add(mapping);
            }
        }

        return new QueryTables([.. tables.Values], [.. views]);
    }
}
