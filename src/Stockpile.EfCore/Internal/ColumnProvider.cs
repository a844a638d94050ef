namespace Stockpile.Internal;

/// <summary>What the context's provider does with dates and times, read once per store.</summary>
/// <param name="IsPostgres">Whether the provider is Npgsql's: PostgreSQL keeps dates and times to the microsecond.</param>
/// <param name="StrictTimestamps">
/// Whether Npgsql refuses a <see cref="DateTime"/> whose kind does not match the column, and a <see cref="DateTimeOffset"/>
/// with an offset (its default; off under its legacy switch <c>Npgsql.EnableLegacyTimestampBehavior</c>).
/// </param>
/// <param name="Infinities">
/// Whether Npgsql writes the minimum and maximum dates as <c>-infinity</c> and <c>infinity</c> (its default; off under
/// <c>Npgsql.DisableDateTimeInfinityConversions</c>), so they come back exactly whatever their ticks.
/// </param>
internal sealed record ColumnProvider(bool IsPostgres, bool StrictTimestamps, bool Infinities)
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    public static ColumnProvider For(string? providerName) =>
        providerName == NpgsqlProvider
            ? new ColumnProvider(true, !Switch("Npgsql.EnableLegacyTimestampBehavior"), !Switch("Npgsql.DisableDateTimeInfinityConversions"))
            : new ColumnProvider(false, false, false);

    private static bool Switch(string name) => AppContext.TryGetSwitch(name, out var on) && on;
}
