using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// What the database's columns can hold exactly (issue 12, torture case 6): a put whose object holds a value its column
/// would store changed, or that the provider refuses, is refused before anything is written, naming the type, key,
/// property and reason; and a look-up is asked with the key values the provider takes, or answered as a miss without
/// asking when no row can hold the key. The rules of each type and key are found once (<see cref="ColumnRule"/>).
/// </summary>
/// <remarks>
/// On every provider: text (a string or char property) with a lone UTF-16 surrogate or a NUL character (a surrogate has
/// no UTF-8 form and reads back as U+FFFD, a NUL ends SQLite's text and PostgreSQL refuses it). On PostgreSQL also dates
/// and times: a key finer than a microsecond (it keeps microseconds, so a key so stored would never be found again; a
/// value that is no key part is truncated instead, as EF Core's own save stores it), a <see cref="DateTimeOffset"/> with
/// an offset or a <see cref="DateTime"/> of a kind the column refuses (Npgsql throws for those; a look-up naming the
/// same instant in such a form is asked in UTC).
/// </remarks>
internal sealed partial class ColumnLimits
{
    private readonly ModelKeyResolver _resolver;
    private readonly ColumnProvider _provider;
    private readonly ConcurrentDictionary<Type, ColumnRule[]> _rules = new();
    private readonly ConcurrentDictionary<KeyDefinition, ColumnRule?[]?> _keyRules = new();

    // One per model and key mode (a resolver's lifetime), shared by the stores and the interceptor's copies of what was saved.
    private static readonly ConditionalWeakTable<ModelKeyResolver, ColumnLimits> s_byResolver = new();

    private ColumnLimits(ModelKeyResolver resolver, string? providerName)
    {
        _resolver = resolver;
        _provider = ColumnProvider.For(providerName);
    }

    /// <summary>The limits of a context's model and provider, made once per model.</summary>
    public static ColumnLimits For(DbContext context, bool useModelKeys)
    {
        var resolver = ModelKeyResolver.For(context, useModelKeys);
        return s_byResolver.TryGetValue(resolver, out var limits)
            ? limits
            : s_byResolver.GetValue(resolver, r => new ColumnLimits(r, context.Database.ProviderName));
    }

    /// <summary>
    /// Truncates, on <paramref name="item"/>, every time that is no key part and is finer than its column keeps, as EF
    /// Core's save stored it: for a copy of what was saved. Any other value is left as it is.
    /// </summary>
    public void Truncate(object item)
    {
        foreach (var rule in RulesOf(item.GetType()))
        {
            if (rule.Write is not null && rule.Truncated(rule.Read!(item)) is { } truncated && rule.Refusal(truncated) is null)
            {
                rule.Write(item, truncated);
            }
        }
    }

    /// <summary>
    /// Throws when a mapped property of <paramref name="item"/> holds a value its column cannot store exactly; first
    /// truncates, on <paramref name="item"/> itself, a time that is not part of a key and is finer than its column keeps
    /// (as EF Core's own save would store it), so the database, the object and every tier that caches it hold the value
    /// a fresh read returns. Nothing is changed when a value is refused.
    /// </summary>
    /// <exception cref="StockpileSerializationException">The value cannot be stored as given; the message names the type, key, property and reason.</exception>
    /// <exception cref="StockpileMappingException">The context does not map the object's type.</exception>
    public void Check(object item)
    {
        var type = item.GetType();
        List<(ColumnRule Rule, object Value)>? truncations = null;
        foreach (var rule in RulesOf(type))
        {
            var value = rule.Read!(item);
            if (rule.Refusal(value) is not { } reason)
            {
                continue;
            }

            if (rule.Write is not null && rule.Truncated(value) is { } truncated && rule.Refusal(truncated) is null)
            {
                (truncations ??= []).Add((rule, truncated));
                continue;
            }

            throw new StockpileSerializationException(type, "store", EfExceptionMessages.ValueNotStorable(EntityKey.FromEntity(item), rule.Property, reason));
        }

        foreach (var (rule, truncated) in truncations ?? [])
        {
            rule.Write!(item, truncated);
        }
    }

    private ColumnRule[] RulesOf(Type type) => _rules.TryGetValue(type, out var known) ? known : _rules.GetOrAdd(type, Build);

    private ColumnRule[] Build(Type type)
    {
        var mapped = _resolver.EntityTypeOf(type);
        var keyProperties = StockpileEntityType.For(type).Keys.SelectMany(static k => k.Properties).Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);
        return [.. mapped.GetProperties()
            .Where(static p => p.PropertyInfo is { CanRead: true })
            .Select(p => ColumnRule.For(p, _provider, withReader: true, truncates: !p.IsKey() && !keyProperties.Contains(p.Name)))
            .OfType<ColumnRule>()];
    }
}
