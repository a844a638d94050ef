namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An entity whose values are of every date and time type PostgreSQL keeps to the microsecond.</summary>
public sealed class Stamp
{
    [StockpileKey]
    public int Id { get; set; }

    /// <summary>Gets or sets a value in a <c>timestamp with time zone</c> column (Npgsql's default for <see cref="DateTime"/>).</summary>
    public DateTime At { get; set; } = DateTime.UnixEpoch;

    /// <summary>Gets or sets a value in a <c>timestamp without time zone</c> column.</summary>
    public DateTime Wall { get; set; } = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public DateTimeOffset Moment { get; set; } = DateTimeOffset.UnixEpoch;

    public TimeSpan Span { get; set; }

    public TimeOnly Time { get; set; }

    public DateTime? Maybe { get; set; }
}
