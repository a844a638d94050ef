using System.Buffers;

namespace Stockpile.Redis.Internal.Resp;

/// <content>
/// Receiving: one loop parses replies as bytes arrive and hands each to the oldest pending request.
/// Closing: the first failure, from whichever side, closes the socket and fails everything pending.
/// </content>
internal sealed partial class RespSocket
{
    private long _lastReadTicks;

    /// <summary>Closes the connection, unless closed already, and fails every pending request.</summary>
    /// <param name="reason">Why: a <see cref="RedisConnectionException"/> whose message is passed on, or the error that broke the connection.</param>
    public void Close(Exception reason)
    {
        RespRequest[] failed;
        lock (_sync)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
            failed = [.. _pending];
            _pending.Clear();
        }

        var message = reason switch
        {
            RedisConnectionException closed => closed.Message,
            RespProtocolException protocol => ExceptionMessages.ProtocolError(_endPoint, protocol.Detail),
            _ => ExceptionMessages.ConnectionLost(_endPoint),
        };
        var inner = reason is RedisConnectionException ? reason.InnerException : reason;
        _lifetime.Cancel();
        _stream.Dispose();
        foreach (var request in failed)
        {
            // One exception each: a shared instance would collect every awaiter's stack trace.
            request.Fail(new RedisConnectionException(message, _endPoint, inner));
        }

        _closed.TrySetResult(reason as RedisConnectionException ?? new RedisConnectionException(message, _endPoint, inner));
    }

    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_lifetime.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
                var buffer = result.Buffer;
                _reader.AdvanceTo(DispatchReplies(buffer), buffer.End);
                if (result.IsCompleted)
                {
                    reason = new RedisConnectionException(ExceptionMessages.ConnectionClosedByServer(_endPoint), _endPoint);
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever stops the reader closes the connection; Close reports it.
            reason = ex;
        }

        Close(reason);
        await _reader.CompleteAsync().ConfigureAwait(false);
    }

    private SequencePosition DispatchReplies(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (_parser.TryRead(ref reader, out var reply))
        {
            if (_pushHandler is not null && _pushHandler(reply))
            {
                continue;
            }

            lock (_sync)
            {
                if (!_pending.TryPeek(out var request))
                {
                    if (_isClosed)
                    {
                        break;
                    }

                    throw new RespProtocolException("a reply that no command was waiting for");
                }

                if (request.OnReply(reply))
                {
                    _pending.Dequeue();
                }
            }
        }

        return reader.Position;
    }

    private async Task HeartbeatAsync(TimeSpan interval, TimeSpan timeout)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                if (Environment.TickCount64 - Volatile.Read(ref _lastReadTicks) < interval.TotalMilliseconds)
                {
                    continue;
                }

                var ping = new RespCommandRequest(Ping);
                Send(ping);
                await ping.WaitAsync(timeout, _lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (RedisTimeoutException ex)
        {
            Close(new RedisConnectionException(ExceptionMessages.HeartbeatUnanswered(_endPoint, timeout), _endPoint, ex));
        }
        catch (Exception ex) when (ex is OperationCanceledException or RedisConnectionException or RedisServerException)
        {
            // Closing already, or a server that refuses PING: nothing for the heartbeat to add.
        }
    }
}
