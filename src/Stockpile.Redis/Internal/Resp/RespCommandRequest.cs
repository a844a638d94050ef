using System.Buffers;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>One command awaiting one reply; an error reply fails it with <see cref="RedisServerException"/>.</summary>
internal sealed class RespCommandRequest(RedisCommand command) : RespRequest<RedisReply>
{
    public override string Description => command.Name;

    public override void WriteTo(IBufferWriter<byte> output) => RespWriter.Write(output, command);

    public override bool OnReply(RedisReply reply)
    {
        if (reply.ErrorMessage is { } error)
        {
            Fail(new RedisServerException(command.Name, error));
        }
        else
        {
            Complete(reply);
        }

        return true;
    }
}
