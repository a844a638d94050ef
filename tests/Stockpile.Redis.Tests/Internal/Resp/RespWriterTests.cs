using System.Buffers;
using System.Text;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RespWriterTests
{
    [Test]
    public void Write_TextBytesAndInteger_EncodesBulkStrings()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.Write(output, new RedisCommand("SET", "clé", new byte[] { 0, 13, 10, 255 }, -1234L));

        var expected = "*4\r\n$3\r\nSET\r\n$4\r\ncl\u00c3\u00a9\r\n$4\r\n\0\r\n\u00ff\r\n$5\r\n-1234\r\n";
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Encoding.Latin1.GetBytes(expected)));
    }

    [Test]
    public void Write_NoArguments_EncodesNameOnly()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.Write(output, new RedisCommand("PING"));

        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("*1\r\n$4\r\nPING\r\n"));
    }

    [Test]
    public void Write_LargeValue_GrowsTheBuffer()
    {
        var output = new ArrayBufferWriter<byte>(16);
        var value = new byte[100_000];
        Random.Shared.NextBytes(value);

        RespWriter.Write(output, new RedisCommand("SET", "k", value));

        Assert.That(output.WrittenCount, Is.EqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n".Length + value.Length + 2));
        Assert.That(output.WrittenSpan.Slice(output.WrittenCount - value.Length - 2, value.Length).ToArray(), Is.EqualTo(value));
    }

    [Test]
    public void ToString_CommandWithSecretArgument_ShowsOnlyTheName()
    {
        var command = new RedisCommand("AUTH", "user", "hunter2");

        Assert.That(command.ToString(), Is.EqualTo("AUTH"));
        Assert.That(RedisArgument.FromString("hunter2").ToString(), Does.Not.Contain("hunter2"));
    }
}
