using System.Security.Cryptography;
using System.Text;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Internal;

/// <summary>A Lua script run by its SHA1 (<c>EVALSHA</c>), sent in full (<c>EVAL</c>) only when the server does not know it yet.</summary>
internal sealed class RedisScript
{
    public RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // Redis names scripts by their SHA1: this is an identifier, not security.
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5350
    }

    public string Text { get; }

    public string Sha1 { get; }

    /// <summary>Runs the script; one round trip, two the first time a server sees it (or after <c>SCRIPT FLUSH</c> or a restart).</summary>
    /// <exception cref="RedisServerException">The script failed.</exception>
    public async ValueTask<RedisReply> EvaluateAsync(IRedisConnection connection, IReadOnlyList<string> keys, IReadOnlyList<RedisArgument> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ExecuteAsync(Command("EVALSHA", Sha1, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorPrefix == "NOSCRIPT")
        {
            return await connection.ExecuteAsync(Command("EVAL", Text, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RedisCommand Command(string name, string script, IReadOnlyList<string> keys, IReadOnlyList<RedisArgument> arguments)
    {
        var all = new RedisArgument[2 + keys.Count + arguments.Count];
        all[0] = script;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            all[2 + i] = keys[i];
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            all[2 + keys.Count + i] = arguments[i];
        }

        return new RedisCommand(name, all);
    }
}
