namespace Stockpile;

public sealed partial class EfCoreStore<TContext>
{
    private string? _dbSystem;

    /// <inheritdoc/>
    /// <remarks>Named after the context's provider, following OpenTelemetry's <c>db.system</c> values; found once.</remarks>
    internal override string? DbSystem => _dbSystem ??= DbSystemOf(ProviderName());

    /// <summary>Whether the database answers (for the health check); a failure to connect is <see langword="false"/>, cancellation throws.</summary>
    internal async ValueTask<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        var context = CreateContext();
        await using (context.ConfigureAwait(false))
        {
            return await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string DbSystemOf(string? provider) => provider switch
    {
        null => "other_sql",
        _ when provider.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) => "sqlite",
        _ when provider.Contains("Npgsql", StringComparison.OrdinalIgnoreCase) => "postgresql",
        _ when provider.Contains("SqlServer", StringComparison.OrdinalIgnoreCase) => "mssql",
        _ when provider.Contains("MySql", StringComparison.OrdinalIgnoreCase) => "mysql",
        _ when provider.Contains("Oracle", StringComparison.OrdinalIgnoreCase) => "oracle",
        _ => "other_sql",
    };

    private string? ProviderName()
    {
        using var context = _contextFactory.CreateDbContext();
        return context.Database.ProviderName;
    }
}
