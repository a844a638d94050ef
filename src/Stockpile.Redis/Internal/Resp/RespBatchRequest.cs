using System.Buffers;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// Commands written together, awaiting one reply each, in order. Error replies are returned as they are
/// (reading them throws), since one failed command must not hide the others' results.
/// </summary>
internal sealed class RespBatchRequest : RespRequest<RedisReply[]>
{
    private readonly IReadOnlyList<RedisCommand> _commands;
    private readonly RedisReply[] _replies;
    private int _received;

    public RespBatchRequest(IReadOnlyList<RedisCommand> commands)
    {
        _commands = commands;
        _replies = new RedisReply[commands.Count];
    }

    public override string Description => ExceptionMessages.BatchDescription(_commands.Count, _commands[0].Name);

    public override void WriteTo(IBufferWriter<byte> output)
    {
        for (var i = 0; i < _commands.Count; i++)
        {
            RespWriter.Write(output, _commands[i]);
        }
    }

    public override bool OnReply(RedisReply reply)
    {
        _replies[_received++] = reply;
        if (_received < _replies.Length)
        {
            return false;
        }

        Complete(_replies);
        return true;
    }
}
