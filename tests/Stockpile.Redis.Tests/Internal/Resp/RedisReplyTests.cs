using System.Text;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

public class RedisReplyTests
{
    [Test]
    public void Accessors_BulkString_ReturnBytesTextAndNumber()
    {
        var reply = RedisReply.BulkString("123"u8.ToArray());

        Assert.Multiple(() =>
        {
            Assert.That(reply.AsBytes(), Is.EqualTo("123"u8.ToArray()));
            Assert.That(reply.AsString(), Is.EqualTo("123"));
            Assert.That(reply.AsInt64(), Is.EqualTo(123));
            Assert.That(reply.IsNull, Is.False);
        });
    }

    [Test]
    public void Accessors_NullBulkString_ReturnNull()
    {
        var reply = RedisReply.BulkString(null);

        Assert.Multiple(() =>
        {
            Assert.That(reply.IsNull, Is.True);
            Assert.That(reply.AsBytes(), Is.Null);
            Assert.That(reply.AsString(), Is.Null);
            Assert.Throws<InvalidCastException>(() => reply.AsInt64());
        });
    }

    [Test]
    public void Accessors_ErrorReply_ThrowServerExceptionWithServerText()
    {
        var reply = RedisReply.Error("WRONGTYPE Operation against a key holding the wrong kind of value");

        var exception = Assert.Throws<RedisServerException>(() => reply.AsString());

        Assert.That(exception!.ErrorPrefix, Is.EqualTo("WRONGTYPE"));
        Assert.That(exception.Message, Does.Contain("Operation against a key"));
        Assert.Throws<RedisServerException>(() => reply.AsArray());
        Assert.Throws<RedisServerException>(() => reply.ThrowIfError("GET"));
    }

    [Test]
    public void AsInt64_Array_ThrowsInvalidCast()
    {
        var reply = RedisReply.Array([RedisReply.Integer(1)]);

        Assert.Throws<InvalidCastException>(() => reply.AsInt64());
        Assert.That(reply.ThrowIfError(), Is.SameAs(reply));
    }

    [Test]
    public void ToString_BulkString_ShowsShapeNotContent()
    {
        var reply = RedisReply.BulkString(Encoding.UTF8.GetBytes("secret value"));

        Assert.That(reply.ToString(), Is.EqualTo("BulkString(12 bytes)"));
    }
}
