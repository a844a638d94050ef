namespace Stockpile;

public sealed partial class EfCoreStore<TContext>
{
    private string? _dbSystem;

    /// <inheritdoc/>
    /// <remarks>Named after the context's provider, following OpenTelemetry's <c>db.system</c> values; found once.</remarks>
    internal override string? DbSystem => _dbSystem ??= DbSystemOf(ProviderName());

    /// <inheritdoc/>
    /// <remarks>Unhealthy when the database does not accept a connection (EF Core's <c>CanConnectAsync</c>).</remarks>
    internal override async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var context = CreateContext();
            await using (context.ConfigureAwait(false))
            {
                return await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
                    ? null
                    : "the database did not accept a connection.";
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"the database could not be reached ({ex.GetType().Name}).";
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
