using System.Buffers;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// What a caller is waiting for on a connection: the commands it sent and the replies still due.
/// Requests wait in FIFO order, the order Redis answers in.
/// </summary>
internal abstract class RespRequest
{
    /// <summary>Gets the name of the command, or a description of the batch, for messages: never arguments.</summary>
    public abstract string Description { get; }

    /// <summary>Encodes the request's commands into <paramref name="output"/>.</summary>
    public abstract void WriteTo(IBufferWriter<byte> output);

    /// <summary>Takes the next reply due to this request.</summary>
    /// <returns><see langword="true"/> when the request has all its replies and leaves the queue.</returns>
    public abstract bool OnReply(RedisReply reply);

    /// <summary>Fails the request, unless it is already complete.</summary>
    public abstract void Fail(Exception exception);
}
