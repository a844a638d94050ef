using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// What one shape of <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> learned at query compilation: its predicate pins a key
/// of the entity type, and where each key value comes from (a constant, or a query parameter read from the command).
/// A plan is made once per compiled shape and found again by the statement's SQL.
/// </summary>
internal sealed partial class BulkKeyPlan
{
    private static readonly ConcurrentDictionary<string, BulkKeyPlan> s_bySql = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<DbContext, BulkKeyPlan> s_pending = new();

    private BulkKeyPlan(Type clrType, Dictionary<string, KeyValueSource> pinned, HashSet<string> setterProperties, string[] queryParameters, bool opaqueSetters)
    {
        ClrType = clrType;
        Pinned = pinned;
        SetterProperties = setterProperties;
        QueryParameters = queryParameters;
        OpaqueSetters = opaqueSetters;
    }

    /// <summary>Gets the entity type the statement targets.</summary>
    public Type ClrType { get; }

    /// <summary>Gets the properties the predicate pins (a conjunct of <c>==</c> or <c>Contains</c>), with where their values come from.</summary>
    public IReadOnlyDictionary<string, KeyValueSource> Pinned { get; }

    /// <summary>Gets the row properties the setters name; a key among them means the type is dropped.</summary>
    public IReadOnlySet<string> SetterProperties { get; }

    /// <summary>Gets the names of every parameter of the query, so that an expanded collection is told apart from them.</summary>
    public string[] QueryParameters { get; }

    /// <summary>Gets a value indicating whether the setters held something the analysis could not see into.</summary>
    public bool OpaqueSetters { get; }

    /// <summary>
    /// Picks the first key of the chain's description of the type (primary first) whose every property the predicate
    /// pins, none converted, and no property of any key changed by the setters; <see langword="null"/> when there is none.
    /// </summary>
    public (KeyDefinition Key, KeyValueSource[] Sources)? KeyFor(StockpileEntityType cached)
    {
        if (OpaqueSetters || cached.ClrType != ClrType || cached.Keys.Any(k => k.Properties.Any(p => SetterProperties.Contains(p.Name))))
        {
            return null;
        }

        foreach (var key in cached.Keys)
        {
            if (key.HasConverters)
            {
                continue;
            }

            var sources = new KeyValueSource[key.Properties.Count];
            var complete = true;
            for (var i = 0; i < sources.Length && complete; i++)
            {
                complete = Pinned.TryGetValue(key.Properties[i].Name, out sources[i]!) && (!key.IsComposite || !sources[i].IsCollection);
            }

            if (complete)
            {
                return (key, sources);
            }
        }

        return null;
    }

    /// <summary>Holds a plan just compiled for the statement the context is about to run (compilation precedes it).</summary>
    public static void Compiled(DbContext context, BulkKeyPlan? plan)
    {
        if (plan is null)
        {
            s_pending.Remove(context);
        }
        else
        {
            s_pending.AddOrUpdate(context, plan);
        }
    }

    /// <summary>
    /// Finds the plan of a statement that ran: the one compiled for it just before (then remembered by its SQL, since
    /// EF Core compiles a shape once), or the one remembered for its SQL; <see langword="null"/> when there is none.
    /// </summary>
    /// <remarks>
    /// The SQL is the shape's identity: the same text is the same predicate on the same table with the same parameter
    /// names. A collection sent as one parameter per element (<c>IN (@ids1, @ids2)</c>) is counted as one shape.
    /// </remarks>
    public static BulkKeyPlan? For(DbContext context, string sql)
    {
        var shape = ExpandedList().Replace(sql, "IN ($1#)");
        if (s_pending.TryGetValue(context, out var compiled))
        {
            s_pending.Remove(context);
            if (compiled.Fits(sql))
            {
                s_bySql[shape] = compiled;
                return compiled;
            }
        }

        return s_bySql.TryGetValue(shape, out var known) && known.Fits(sql) ? known : null;
    }

    /// <summary>
    /// Checks the statement's SQL against the plan, in case a compilation that never ran (it failed after the plan was
    /// made) left its plan behind: a plain conjunction (no OR, NOT or subquery) comparing each pinned parameter with
    /// <c>=</c>, <c>IN</c> or <c>= ANY</c>.
    /// </summary>
    private bool Fits(string sql)
    {
        var where = sql.IndexOf("WHERE ", StringComparison.Ordinal);
        if (where < 0 || NotAConjunction().IsMatch(sql.AsSpan(where)))
        {
            return false;
        }

        foreach (var source in Pinned.Values)
        {
            if (source.Parameter is { } name && !Compared(name, source.IsCollection).IsMatch(sql.AsSpan(where)))
            {
                return false;
            }
        }

        return true;
    }

    private static Regex Compared(string parameter, bool collection) =>
        new(@"(= |IN \(|= ANY \()[@:$]" + Regex.Escape(parameter) + (collection ? "(?![A-Za-z_])" : "(?![A-Za-z0-9_])"), RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\b(OR|NOT|SELECT|CASE)\b", RegexOptions.CultureInvariant)]
    private static partial Regex NotAConjunction();

    [GeneratedRegex(@"IN \(([@:$][A-Za-z_][A-Za-z0-9_]*?)[0-9]+(?:, \1[0-9]+)*\)", RegexOptions.CultureInvariant)]
    private static partial Regex ExpandedList();

    /// <summary>
    /// Reads the key values the statement ran with; <see langword="null"/> (drop the type) when any value cannot be
    /// read with certainty: a parameter missing, null, of another type than the key's, or an empty set.
    /// </summary>
    public static List<object[]>? ReadKeys(KeyValueSource[] sources, DbParameterCollection parameters, IReadOnlyList<Type> valueTypes, string[] queryParameters)
    {
        var byName = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DbParameter parameter in parameters)
        {
            byName[parameter.ParameterName.TrimStart('@', ':', '$')] = parameter.Value;
        }

        if (sources.Length == 1)
        {
            var values = ReadValues(sources[0], byName, valueTypes[0], queryParameters);
            return values is null or { Count: 0 } ? null : [.. values.Select(static v => new[] { v })];
        }

        var key = new object[sources.Length];
        for (var i = 0; i < sources.Length; i++)
        {
            if (sources[i].IsCollection || ReadValues(sources[i], byName, valueTypes[i], queryParameters) is not [var value])
            {
                return null;
            }

            key[i] = value;
        }

        return [key];
    }

    private static List<object>? ReadValues(KeyValueSource source, Dictionary<string, object?> byName, Type valueType, string[] queryParameters)
    {
        if (source.Parameter is null)
        {
            return Accept(source.Constants, valueType);
        }

        if (!byName.TryGetValue(source.Parameter, out var value))
        {
            return source.IsCollection ? Expanded(source.Parameter, byName, valueType, queryParameters) : null;
        }

        return source.IsCollection
            ? value is IEnumerable items and not string ? Accept(items, valueType) : null
            : Accept(new[] { value }, valueType);
    }

    /// <summary>A collection sent as one parameter per element (<c>@ids1</c>, <c>@ids2</c>, ...), padded with repeats.</summary>
    private static List<object>? Expanded(string name, Dictionary<string, object?> byName, Type valueType, string[] queryParameters)
    {
        // Another parameter of the query with such a name would be mistaken for an element.
        if (queryParameters.Any(p => p != name && IsElementName(p, name)))
        {
            return null;
        }

        return Accept(byName.Where(p => IsElementName(p.Key, name)).Select(static p => p.Value), valueType);
    }

    private static bool IsElementName(string candidate, string collection) =>
        candidate.Length > collection.Length && candidate.StartsWith(collection, StringComparison.Ordinal) && candidate.AsSpan(collection.Length).ContainsAnyExceptInRange('0', '9') is false;

    private static List<object>? Accept(IEnumerable values, Type valueType)
    {
        var accepted = new List<object>();
        foreach (var value in values)
        {
            if (value is null || value is DBNull || value.GetType() != valueType)
            {
                return null;
            }

            if (!accepted.Contains(value))
            {
                accepted.Add(value);
            }
        }

        return accepted;
    }
}
