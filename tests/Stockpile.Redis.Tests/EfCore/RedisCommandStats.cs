using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>Reads a private redis-server's per-command call counts (<c>INFO commandstats</c>) over a plain socket, around any client.</summary>
internal static class RedisCommandStats
{
    public static async Task ResetAsync(int port) => _ = await SendAsync(port, "CONFIG RESETSTAT");

    /// <summary>
    /// Pauses every client's writes (<c>CLIENT PAUSE … WRITE</c>: sets, scripts and <c>PUBLISH</c> wait; reads and
    /// <c>TIME</c> are served) until <see cref="UnpauseAsync"/>, or a minute.
    /// </summary>
    public static async Task PauseWritesAsync(int port) => _ = await SendAsync(port, "CLIENT PAUSE 60000 WRITE");

    public static async Task UnpauseAsync(int port) => _ = await SendAsync(port, "CLIENT UNPAUSE");

    /// <summary>Gets the calls of each command since the last reset, 0 for one never called.</summary>
    public static long Calls(Dictionary<string, long> stats, params string[] commands) =>
        commands.Sum(c => stats.TryGetValue(c, out var calls) ? calls : 0);

    /// <summary>Gets the calls per command (lower case) since the last reset.</summary>
    public static async Task<Dictionary<string, long>> ReadAsync(int port)
    {
        var reply = await SendAsync(port, "INFO commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in reply.Split("\r\n"))
        {
            // cmdstat_evalsha:calls=2,usec=...
            if (line.StartsWith("cmdstat_", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
            {
                var fields = line[(colon + 1)..].Split(',');
                calls[line[8..colon]] = long.Parse(fields[0]["calls=".Length..], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    private static async Task<string> SendAsync(int port, string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        do
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        while (!IsComplete(text.ToString()));

        return text.ToString();
    }

    /// <summary>A simple string (<c>+OK</c>) or a whole bulk string (<c>$n\r\n…\r\n</c>).</summary>
    private static bool IsComplete(string reply)
    {
        if (reply.Length == 0 || !reply.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return false;
        }

        if (reply[0] != '$')
        {
            return true;
        }

        var header = reply.IndexOf("\r\n", StringComparison.Ordinal);
        var length = int.Parse(reply[1..header], CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetByteCount(reply) >= header + 2 + length + 2;
    }
}
