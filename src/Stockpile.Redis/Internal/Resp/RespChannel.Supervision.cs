namespace Stockpile.Redis.Internal.Resp;

/// <content>The supervisor: one task for the channel's life that waits for a drop, then reconnects.</content>
internal sealed partial class RespChannel
{
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        // "Lost" is raised only after "restored" (or the first connect), so a socket that dies while its state is
        // being restored does not report a second loss.
        var up = _current is not null;
        try
        {
            while (true)
            {
                if (_current is { } socket)
                {
                    var reason = await socket.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _current = null;
                    await socket.DisposeAsync().ConfigureAwait(false);
                    if (up)
                    {
                        up = false;
                        Log.ConnectionLost(_logger, _options.EndPoint, _role, reason);
                        _events.RaiseLost(new RedisConnectionEventArgs(_role, _options.EndPoint, reason));
                    }
                }

                var (replacement, attempts) = await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                _current = replacement;
                if (await TryRestoreStateAsync(replacement, cancellationToken).ConfigureAwait(false))
                {
                    up = true;
                    Log.ConnectionRestored(_logger, _options.EndPoint, _role, attempts);
                    _events.RaiseRestored(new RedisConnectionEventArgs(_role, _options.EndPoint, null));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<(RespSocket Socket, int Attempts)> ReconnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var delay = ReconnectBackoff.GetDelay(attempt, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            try
            {
                return (await RespSocket.ConnectAsync(_options, _pushHandler, cancellationToken).ConfigureAwait(false), attempt);
            }
            catch (RedisConnectionException ex)
            {
                Log.ReconnectAttemptFailed(_logger, attempt, _options.EndPoint, _role, ex);
            }
        }
    }

    private async Task<bool> TryRestoreStateAsync(RespSocket socket, CancellationToken cancellationToken)
    {
        if (_onConnected is null)
        {
            return true;
        }

        try
        {
            await _onConnected(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
        {
            // The socket is of no use without its state: drop it and let the loop start over.
            Log.RestoreStateFailed(_logger, _options.EndPoint, _role, ex);
            socket.Close(ex);
            return false;
        }
    }
}
