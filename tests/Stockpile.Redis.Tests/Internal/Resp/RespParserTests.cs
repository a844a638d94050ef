using System.Buffers;
using System.Text;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RespParserTests
{
    private static readonly byte[] Mixed = Encoding.ASCII.GetBytes(
        "+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nhe\r\no\r\n$-1\r\n$0\r\n\r\n*-1\r\n*0\r\n" +
        "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*1\r\n+QUEUED\r\n$-1\r\n+PONG\r\n");

    [Test]
    public void TryRead_AllTypes_ParsesEachReply()
    {
        var replies = ParseAll(new ReadOnlySequence<byte>(Mixed), out _);

        Assert.That(replies, Has.Count.EqualTo(10));
        Assert.Multiple(() =>
        {
            Assert.That(replies[0], Is.SameAs(RedisReply.Ok));
            Assert.That(replies[1].ErrorMessage, Is.EqualTo("ERR bad thing"));
            Assert.That(replies[2].AsInt64(), Is.EqualTo(-42));
            Assert.That(replies[3].AsBytes(), Is.EqualTo("he\r\no"u8.ToArray()));
            Assert.That(replies[4].IsNull, Is.True);
            Assert.That(replies[5].AsString(), Is.Empty);
            Assert.That(replies[6].IsNull && replies[6].Kind == RedisReplyKind.Array, Is.True);
            Assert.That(replies[7].AsArray(), Is.Empty);
            var nested = replies[8].AsArray()!;
            Assert.That(nested[0].AsInt64(), Is.EqualTo(1));
            Assert.That(nested[1].AsArray()![0].AsString(), Is.EqualTo("a"));
            Assert.That(nested[1].AsArray()![1].AsArray()![0], Is.SameAs(RedisReply.Queued));
            Assert.That(nested[2].IsNull, Is.True);
            Assert.That(replies[9].AsString(), Is.EqualTo("PONG"));
        });
    }

    [Test]
    public void TryRead_EverySegmentSize_GivesTheSameReplies([Range(1, 9)] int segmentSize)
    {
        var expected = Describe(ParseAll(new ReadOnlySequence<byte>(Mixed), out _));

        var actual = Describe(ParseAll(ChunkedSequence.Create(Mixed, segmentSize), out _));

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void TryRead_BytesArrivingOneByOne_ConsumesIncrementallyAndGivesTheSameReplies()
    {
        var parser = new RespParser();
        var replies = new List<RedisReply>();
        var pending = new List<byte>();
        foreach (var b in Mixed)
        {
            pending.Add(b);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
            while (parser.TryRead(ref reader, out var reply))
            {
                replies.Add(reply);
            }

            pending.RemoveRange(0, (int)reader.Consumed);
        }

        Assert.That(pending, Is.Empty);
        Assert.That(Describe(replies), Is.EqualTo(Describe(ParseAll(new ReadOnlySequence<byte>(Mixed), out _))));
    }

    [Test]
    public void TryRead_IncompleteBulkString_ConsumesNothing()
    {
        var parser = new RespParser();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("$10\r\nabc"u8.ToArray()));

        Assert.That(parser.TryRead(ref reader, out _), Is.False);
        Assert.That(reader.Consumed, Is.Zero);
    }

    [Test]
    public void TryRead_IncompleteArray_ConsumesCompletedElementsAndFinishesLater()
    {
        var parser = new RespParser();
        var first = new SequenceReader<byte>(new ReadOnlySequence<byte>("*2\r\n:1\r\n:"u8.ToArray()));
        Assert.That(parser.TryRead(ref first, out _), Is.False);
        Assert.That(first.Consumed, Is.EqualTo(8));

        var second = new SequenceReader<byte>(new ReadOnlySequence<byte>(":2\r\n"u8.ToArray()));
        Assert.That(parser.TryRead(ref second, out var reply), Is.True);
        Assert.That(reply!.AsArray()!.Select(r => r.AsInt64()), Is.EqualTo(new long[] { 1, 2 }));
    }

    [TestCase("?what\r\n")]
    [TestCase(":12x\r\n")]
    [TestCase(":\r\n")]
    [TestCase("$-2\r\n")]
    [TestCase("$3\r\nabcXY")]
    [TestCase("*-5\r\n")]
    public void TryRead_MalformedInput_ThrowsProtocolException(string input)
    {
        var parser = new RespParser();

        Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)));
            parser.TryRead(ref reader, out _);
        });
    }

    private static List<RedisReply> ParseAll(ReadOnlySequence<byte> data, out long consumed)
    {
        var parser = new RespParser();
        var reader = new SequenceReader<byte>(data);
        var replies = new List<RedisReply>();
        while (parser.TryRead(ref reader, out var reply))
        {
            replies.Add(reply);
        }

        consumed = reader.Consumed;
        return replies;
    }

    private static string Describe(IEnumerable<RedisReply> replies) =>
        string.Join("|", replies.Select(Describe));

    private static string Describe(RedisReply reply) => reply.Kind switch
    {
        RedisReplyKind.Error => "E:" + reply.ErrorMessage,
        RedisReplyKind.Array => reply.AsArray() is { } items ? "[" + Describe(items) + "]" : "[null]",
        _ => reply.IsNull ? "null" : Convert.ToHexString(reply.AsBytes()!),
    };
}
