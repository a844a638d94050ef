using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stockpile.Internal;

/// <summary>
/// Drains a context type's outbox at start-up (every row, whatever its age) and then every
/// <see cref="StockpileOutboxOptions.DrainInterval"/>. Start-up fails when the context's model has no outbox table.
/// </summary>
internal sealed class StockpileOutboxService<TContext>(OutboxDrainer<TContext> drainer, StockpileOutboxOptions options, ILogger logger) : IHostedService, IAsyncDisposable
    where TContext : DbContext
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await drainer.CheckModelAsync(cancellationToken).ConfigureAwait(false);
        await PassAsync(everything: true, cancellationToken).ConfigureAwait(false);
        _loop = LoopAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.DrainInterval, options.TimeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await PassAsync(everything: false, stopping).ConfigureAwait(false);
        }
    }

    private async Task PassAsync(bool everything, CancellationToken cancellationToken)
    {
        try
        {
            await drainer.DrainAsync(everything, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The database away: the rows wait for the next pass.
            Log.OutboxDrainFailed(logger, typeof(TContext).Name, ex);
        }
    }
}
