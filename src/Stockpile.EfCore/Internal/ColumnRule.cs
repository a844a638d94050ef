using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stockpile.Internal;

/// <summary>What one mapped column holds exactly: the reason a value is refused, and the form a look-up value is asked in.</summary>
internal sealed class ColumnRule
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    private readonly ColumnKind _kind;
    private readonly string _storeType;
    private readonly long _unit;
    private readonly bool _strict;
    private readonly bool _infinities;

    // PostgreSQL's epoch (2000-01-01): Npgsql sends a timestamp as whole microseconds from it, truncated toward it.
    private static readonly long s_postgresEpochTicks = new DateTime(2000, 1, 1).Ticks;

    private ColumnRule(string property, Func<object, object?>? read, Action<object, object?>? write, ColumnKind kind, string storeType, long unit, ColumnProvider provider)
    {
        Property = property;
        Read = read;
        Write = write;
        _kind = kind;
        _storeType = storeType;
        _unit = unit;
        _strict = provider.StrictTimestamps;
        _infinities = provider.Infinities;
    }

    private enum ColumnKind
    {
        Text,
        Utc,
        Unzoned,
        Time,
    }

    public string Property { get; }

    /// <summary>Gets the property's getter (boxing), compiled once; <see langword="null"/> for a key's rule.</summary>
    public Func<object, object?>? Read { get; }

    /// <summary>
    /// Gets the property's setter, compiled once, for a value that may be truncated to what its column keeps (see
    /// <see cref="Truncated"/>); <see langword="null"/> for a key's rule, a key property, text, or a property without a setter.
    /// </summary>
    public Action<object, object?>? Write { get; }

    /// <summary>The rule of a mapped property, or <see langword="null"/> when its column holds every value of its type.</summary>
    /// <param name="property">The mapped property.</param>
    /// <param name="provider">The database provider.</param>
    /// <param name="withReader">Whether the rule reads the property from objects (a put's check), rather than from a key's values.</param>
    /// <param name="truncates">Whether a time finer than the column is truncated to what it keeps rather than refused (a value, not a key).</param>
    public static ColumnRule? For(IProperty property, ColumnProvider provider, bool withReader, bool truncates = false)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        if (type == typeof(string) || type == typeof(char))
        {
            return new ColumnRule(property.Name, withReader ? Reader(property) : null, null, ColumnKind.Text, "text", 1, provider);
        }

        if (!provider.IsPostgres || property.GetValueConverter() is not null || property.PropertyInfo is null
            || (type != typeof(DateTime) && type != typeof(DateTimeOffset) && type != typeof(TimeOnly) && type != typeof(TimeSpan)))
        {
            return null;
        }

        var mapping = property.GetRelationalTypeMapping();
        if (mapping.Converter is not null)
        {
            return null;
        }

        var storeType = mapping.StoreTypeNameBase;
        ColumnKind? kind = storeType switch
        {
            "timestamp with time zone" or "timestamptz" => ColumnKind.Utc,
            "timestamp without time zone" or "timestamp" => ColumnKind.Unzoned,
            "time without time zone" or "time" or "interval" => ColumnKind.Time,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        // PostgreSQL keeps six fractional digits unless the column says fewer (timestamp(3)).
        var digits = Math.Clamp(property.GetPrecision() ?? mapping.Precision ?? 6, 0, 6);
        var unit = TicksPerMicrosecond * (long)Math.Pow(10, 6 - digits);
        var write = withReader && truncates && property.PropertyInfo.CanWrite ? Writer(property) : null;
        return new ColumnRule(property.Name, withReader ? Reader(property) : null, write, kind.Value, mapping.StoreType, unit, provider);
    }

    /// <summary>
    /// A time finer than the column keeps, truncated to it as Npgsql does when EF Core saves it (toward PostgreSQL's
    /// epoch; an interval or a time of day toward zero): the value a fresh read returns. <see langword="null"/> for any
    /// other value, which the column holds as given or refuses.
    /// </summary>
    public object? Truncated(object? value) => value switch
    {
        DateTime d when !IsInfinity(d) && d.Ticks % _unit != 0 => d.AddTicks(-((d.Ticks - s_postgresEpochTicks) % _unit)),
        DateTimeOffset o when !IsInfinity(o) && o.UtcTicks % _unit != 0 => o.AddTicks(-((o.UtcTicks - s_postgresEpochTicks) % _unit)),
        TimeOnly t when t.Ticks % _unit != 0 => new TimeOnly(t.Ticks - (t.Ticks % _unit)),
        TimeSpan s when s.Ticks % _unit != 0 => TimeSpan.FromTicks(s.Ticks - (s.Ticks % _unit)),
        _ => null,
    };

    /// <summary>Why <paramref name="value"/> cannot be stored as given, or <see langword="null"/> when it can.</summary>
    public string? Refusal(object? value) => value switch
    {
        null => null,
        string text => Utf16Text.IsWellFormed(text) && !text.Contains('\0', StringComparison.Ordinal) ? null : TextReason,
        char c => char.IsSurrogate(c) || c == '\0' ? TextReason : null,
        DateTime d when IsInfinity(d) => null,
        DateTime d when _strict && _kind == ColumnKind.Utc && d.Kind != DateTimeKind.Utc =>
            $"holds a DateTime of kind {d.Kind}, and its PostgreSQL column '{_storeType}' takes only UTC ones (Npgsql refuses the others). Make it UTC (DateTime.SpecifyKind or ToUniversalTime), or map the column as 'timestamp without time zone'",
        DateTime d when _strict && _kind == ColumnKind.Unzoned && d.Kind == DateTimeKind.Utc =>
            $"holds a DateTime of kind Utc, and its PostgreSQL column '{_storeType}' takes only Unspecified or Local ones (Npgsql refuses UTC). Use DateTime.SpecifyKind(value, DateTimeKind.Unspecified), or map the column as 'timestamp with time zone'",
        DateTime d => Precision(d.Ticks, d.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset o when IsInfinity(o) => null,
        DateTimeOffset o when _strict && o.Offset != TimeSpan.Zero =>
            $"holds a DateTimeOffset with offset {o.ToString("zzz", CultureInfo.InvariantCulture)}, and its PostgreSQL column '{_storeType}' keeps the instant, not the offset (Npgsql refuses any offset but 0). Put it in UTC (ToUniversalTime()): Stockpile compares DateTimeOffset keys by instant, so a look-up in any offset still finds it",
        DateTimeOffset o => Precision(o.UtcTicks, o.ToString("O", CultureInfo.InvariantCulture)),
        TimeOnly t => Precision(t.Ticks, t.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan s => Precision(s.Ticks, s.ToString("c", CultureInfo.InvariantCulture)),
        _ => null,
    };

    /// <summary>
    /// The value a look-up is asked with: the same instant in the form the column takes (UTC, or the kind it wants; a
    /// key compares by instant, a DateTime by its ticks), or <see langword="false"/> when no row can hold it.
    /// </summary>
    public bool TryLookup(object value, out object asked)
    {
        asked = value;
        switch (value)
        {
            case string or char:
                return Refusal(value) is null;
            case DateTime d when !IsInfinity(d) && d.Ticks % _unit != 0:
            case DateTimeOffset o when !IsInfinity(o) && o.UtcTicks % _unit != 0:
            case TimeOnly t when t.Ticks % _unit != 0:
            case TimeSpan s when s.Ticks % _unit != 0:
                return false;
            case DateTime d when _strict && _kind == ColumnKind.Utc && d.Kind != DateTimeKind.Utc:
                asked = DateTime.SpecifyKind(d, DateTimeKind.Utc);
                return true;
            case DateTime d when _strict && _kind == ColumnKind.Unzoned && d.Kind == DateTimeKind.Utc:
                asked = DateTime.SpecifyKind(d, DateTimeKind.Unspecified);
                return true;
            case DateTimeOffset o when _strict && o.Offset != TimeSpan.Zero:
                asked = o.ToUniversalTime();
                return true;
            default:
                return true;
        }
    }

    private static string TextReason =>
        "holds a lone UTF-16 surrogate or a NUL character, which the database cannot store as given (a surrogate's UTF-8 text reads back as U+FFFD, a NUL ends SQLite's text and PostgreSQL refuses it)";

    private string? Precision(long ticks, string shown) =>
        ticks % _unit == 0
            ? null
            : $"holds {shown}, finer than its PostgreSQL column '{_storeType}' keeps ({(_unit == TicksPerMicrosecond ? "whole microseconds" : $"{_unit / TicksPerMicrosecond} microseconds")}): it would be stored rounded and read back different (a key so stored would never be found again). Round it first (for example value.AddTicks(-(value.Ticks % {_unit})))";

    private bool IsInfinity(DateTime value) => _infinities && (value == DateTime.MinValue || value == DateTime.MaxValue);

    private bool IsInfinity(DateTimeOffset value) => _infinities && (value == DateTimeOffset.MinValue || value == DateTimeOffset.MaxValue);

    private static Func<object, object?> Reader(IProperty property)
    {
        var item = Expression.Parameter(typeof(object), "item");
        var value = Expression.Property(Expression.Convert(item, property.PropertyInfo!.DeclaringType!), property.PropertyInfo!);
        return Expression.Lambda<Func<object, object?>>(Expression.Convert(value, typeof(object)), item).Compile();
    }

    private static Action<object, object?> Writer(IProperty property)
    {
        var item = Expression.Parameter(typeof(object), "item");
        var value = Expression.Parameter(typeof(object), "value");
        var target = Expression.Property(Expression.Convert(item, property.PropertyInfo!.DeclaringType!), property.PropertyInfo!);
        return Expression.Lambda<Action<object, object?>>(Expression.Assign(target, Expression.Convert(value, property.PropertyInfo!.PropertyType)), item, value).Compile();
    }
}
