namespace Stockpile.Tests.Lifetimes;

[TestFixture]
public sealed class ObjectLifetimeParseTests
{
    [TestCase("5 sec", 5)]
    [TestCase("5sec", 5)]
    [TestCase("1 second", 1)]
    [TestCase("90 s", 90)]
    [TestCase("2 hours", 7200)]
    [TestCase("2 Hours", 7200)]
    [TestCase("1.5 h", 5400)]
    [TestCase("10 min", 600)]
    [TestCase("1 minute", 60)]
    [TestCase("1 day", 86400)]
    [TestCase("3 days", 259200)]
    [TestCase("1 week", 604800)]
    [TestCase(" 5 sec ", 5)]
    [TestCase("00:05:00", 300)]
    [TestCase("1.02:00:00", 93600)]
    public void Parse_Duration_IsRelative(string text, int seconds)
    {
        var lifetime = ObjectLifetime.Parse(text);

        Assert.That(lifetime.Kind, Is.EqualTo(ObjectLifetimeKind.Relative));
        Assert.That(lifetime.Duration, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public void Parse_Milliseconds_IsRelative() =>
        Assert.That(ObjectLifetime.Parse("250ms").Duration, Is.EqualTo(TimeSpan.FromMilliseconds(250)));

    [TestCase("0")]
    [TestCase("never")]
    [TestCase("Forever")]
    [TestCase("0 sec")]
    [TestCase("00:00:00")]
    public void Parse_ZeroOrNever_IsNever(string text) =>
        Assert.That(ObjectLifetime.Parse(text), Is.EqualTo(ObjectLifetime.Never));

    [TestCase("", "empty")]
    [TestCase("5", "needs a unit")]
    [TestCase("5 parsecs", "'parsecs' is not a unit")]
    [TestCase("soon", "does not start with a number")]
    [TestCase("-5 sec", "negative")]
    [TestCase("-00:05:00", "negative")]
    [TestCase("25:99:00", "not a TimeSpan")]
    [TestCase("99999999999 weeks", "too long")]
    public void Parse_Malformed_ThrowsQuotingTheText(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ObjectLifetime.Parse(text));

        Assert.That(error!.Message, Does.Contain($"'{text}'").And.Contain(reason));
        Assert.That(ObjectLifetime.TryParse(text, out var lifetime), Is.False);
        Assert.That(lifetime, Is.EqualTo(ObjectLifetime.Default));
    }

    [Test]
    public void TryParse_Null_IsFalse() => Assert.That(ObjectLifetime.TryParse(null, out _), Is.False);
}
