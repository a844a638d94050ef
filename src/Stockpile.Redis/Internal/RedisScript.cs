using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// A Lua script run by its SHA1 (<c>EVALSHA</c>) through StackExchange.Redis, sent in full (<c>EVAL</c>, which the
/// server then caches) only when the server does not know it yet.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // Redis names scripts by their SHA1: this is an identifier, not security.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Text { get; }

    public byte[] Sha1 { get; }

    /// <summary>Runs the script; one round trip, two the first time a server sees it (or after <c>SCRIPT FLUSH</c> or a restart).</summary>
    /// <exception cref="RedisServerException">The script failed.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Sha1, keys, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Text, keys, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
