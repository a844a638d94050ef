using System.Collections.Concurrent;

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
/// and times: finer than a microsecond (it keeps microseconds, so the value would be read back rounded, and a key so
/// stored never found again), a <see cref="DateTimeOffset"/> with an offset or a <see cref="DateTime"/> of a kind the
/// column refuses (Npgsql throws for those; a look-up naming the same instant in such a form is asked in UTC).
/// </remarks>
internal sealed partial class ColumnLimits
{
    private readonly ModelKeyResolver _resolver;
    private readonly ColumnProvider _provider;
    private readonly ConcurrentDictionary<Type, ColumnRule[]> _rules = new();
    private readonly ConcurrentDictionary<KeyDefinition, ColumnRule?[]?> _keyRules = new();

    public ColumnLimits(ModelKeyResolver resolver, string? providerName)
    {
        _resolver = resolver;
        _provider = ColumnProvider.For(providerName);
    }

    /// <summary>Throws when a mapped property of <paramref name="item"/> holds a value its column cannot store exactly.</summary>
    /// <exception cref="StockpileSerializationException">The value cannot be stored as given; the message names the type, key, property and reason.</exception>
    /// <exception cref="StockpileMappingException">The context does not map the object's type.</exception>
    public void Check(object item)
    {
        var type = item.GetType();
        var rules = _rules.TryGetValue(type, out var known) ? known : _rules.GetOrAdd(type, Build);
        foreach (var rule in rules)
        {
            if (rule.Refusal(rule.Read!(item)) is { } reason)
            {
                throw new StockpileSerializationException(type, "store", EfExceptionMessages.ValueNotStorable(EntityKey.FromEntity(item), rule.Property, reason));
            }
        }
    }

    private ColumnRule[] Build(Type type) =>
        [.. _resolver.EntityTypeOf(type).GetProperties()
            .Where(static p => p.PropertyInfo is { CanRead: true })
            .Select(p => ColumnRule.For(p, _provider, withReader: true))
            .OfType<ColumnRule>()];
}
