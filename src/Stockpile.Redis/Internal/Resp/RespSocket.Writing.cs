using System.Buffers;
using System.Runtime.ExceptionServices;

namespace Stockpile.Redis.Internal.Resp;

/// <content>
/// Sending: a request is encoded into the shared buffer under the lock, so a batch is contiguous and its place in
/// the FIFO queue matches its place on the wire. The first sender to find no flush running becomes the flusher and
/// writes the buffer out, once per lap, so concurrent callers' commands leave in one write instead of one each.
/// </content>
internal sealed partial class RespSocket
{
    private const int InitialBufferSize = 4 * 1024;
    private const int MaxRetainedBufferSize = 1024 * 1024;

    private ArrayBufferWriter<byte> _buffer = new(InitialBufferSize);
    private ArrayBufferWriter<byte> _spare = new(InitialBufferSize);
    private bool _flushing;
    private TaskCompletionSource? _flushEnded;

    /// <summary>Queues <paramref name="request"/> and sends it.</summary>
    /// <exception cref="RedisConnectionException">The connection has closed.</exception>
    public void Send(RespRequest request)
    {
        Exception? encodingFailure = null;
        var startFlush = false;
        lock (_sync)
        {
            if (_isClosed)
            {
                throw new RedisConnectionException(ExceptionMessages.NotConnected(_endPoint, request.Description), _endPoint);
            }

            _pending.Enqueue(request);
            try
            {
                request.WriteTo(_buffer);
                startFlush = !_flushing;
                _flushing = true;
            }
            catch (Exception ex)
            {
                // Rethrown below, once the connection is closed.
                encodingFailure = ex;
            }
        }

        if (encodingFailure is not null)
        {
            // Part of the command may be in the buffer and cannot be taken back: the stream is lost for everyone.
            Close(encodingFailure);
            ExceptionDispatchInfo.Throw(encodingFailure);
        }

        if (startFlush)
        {
            _ = FlushAsync();
        }
    }

    private async Task FlushAsync()
    {
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> outgoing;
                lock (_sync)
                {
                    if (_isClosed || _buffer.WrittenCount == 0)
                    {
                        EndFlush();
                        return;
                    }

                    outgoing = _buffer;
                    _buffer = _spare;
                    _spare = outgoing;
                }

                await _stream.WriteAsync(outgoing.WrittenMemory, _lifetime.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_lifetime.Token).ConfigureAwait(false);

                // Only the flusher touches the spare buffer. After a large batch, let the big array go.
                if (outgoing.Capacity > MaxRetainedBufferSize)
                {
                    _spare = new ArrayBufferWriter<byte>(InitialBufferSize);
                }
                else
                {
                    outgoing.ResetWrittenCount();
                }
            }
        }
        catch (Exception ex)
        {
            // Any write failure means the connection is gone; Close reports it.
            lock (_sync)
            {
                EndFlush();
            }

            Close(ex);
        }
    }

    private void EndFlush()
    {
        _flushing = false;
        _flushEnded?.TrySetResult();
    }

    private Task WhenFlushEndedAsync()
    {
        lock (_sync)
        {
            return _flushing ? (_flushEnded ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }
}
