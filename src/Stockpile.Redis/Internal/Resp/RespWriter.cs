using System.Buffers;
using System.Globalization;
using System.Text;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>Encodes commands as RESP arrays of bulk strings, straight into a buffer.</summary>
internal static class RespWriter
{
    private const int MaxHeaderLength = 24;

    /// <summary>Appends <c>*N\r\n$len\r\nNAME\r\n$len\r\narg\r\n…</c> for <paramref name="command"/>.</summary>
    public static void Write(IBufferWriter<byte> output, in RedisCommand command)
    {
        var arguments = command.Arguments;
        WriteHeader(output, (byte)'*', arguments.Length + 1);

        var name = command.Name;
        var nameLength = Encoding.UTF8.GetByteCount(name);
        WriteHeader(output, (byte)'$', nameLength);
        var span = output.GetSpan(nameLength + 2);
        Encoding.UTF8.GetBytes(name, span);
        Terminate(output, span, nameLength);

        foreach (ref readonly var argument in arguments)
        {
            var length = argument.ByteCount;
            WriteHeader(output, (byte)'$', length);
            span = output.GetSpan(length + 2);
            argument.CopyTo(span);
            Terminate(output, span, length);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, int length)
    {
        var span = output.GetSpan(MaxHeaderLength);
        span[0] = prefix;
        length.TryFormat(span[1..], out var written, default, CultureInfo.InvariantCulture);
        Terminate(output, span, written + 1);
    }

    private static void Terminate(IBufferWriter<byte> output, Span<byte> span, int length)
    {
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        output.Advance(length + 2);
    }
}
