using StackExchange.Redis;

namespace Stockpile.Benchmarks;

/// <summary>What <see cref="RedisPutServerTimeRun"/> needs: the server's command statistics, and variants of the put script sent the bare put's keys and arguments.</summary>
public partial class RedisStoreBenchmarks
{
    /// <summary>Loads a script (a variant of the put script) and returns its SHA-1 for <see cref="PutScriptVariant"/>.</summary>
    internal async Task<byte[]> LoadScriptAsync(string text) =>
        (await _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]).ScriptLoadAsync(text)).ToArray();

    /// <summary>The script <paramref name="sha1"/> sent what <see cref="BarePutScript"/> sends (the store's keys and short-form arguments, made once).</summary>
    internal async Task<RedisResult> PutScriptVariant(byte[] sha1)
    {
        var id = Next();
        return await _database.ScriptEvaluateAsync(sha1, _putScriptKeys[id], _putScriptArguments[id]);
    }

    /// <summary>Zeroes the server's command statistics (<c>CONFIG RESETSTAT</c>).</summary>
    internal async Task ResetServerStatsAsync() =>
        await _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]).ExecuteAsync("CONFIG", "RESETSTAT");

    /// <summary>The server's time per <c>EVALSHA</c> since the last reset: <c>usec_per_call</c> in <c>INFO commandstats</c>.</summary>
    internal Task<double> EvalShaMicrosecondsPerCallAsync() =>
        RedisPutArgumentsProbeRun.EvalShaMicrosAsync(_multiplexer.GetServer(_multiplexer.GetEndPoints()[0]));
}
