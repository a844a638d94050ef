using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Internal;

public sealed class MissedKeySetTests
{
    [Test]
    public void Complete_RemovesWhatWasTaken_KeepsWhatWasMissedAgain()
    {
        var set = new MissedKeySet<string>(10);
        set.Add(["a", "b"]);
        var taken = set.Take();
        set.Add(["b", "c"]);

        set.Complete(taken);

        Assert.That(set.IsPending, Is.True);
        Assert.That(set.Take().Keys, Is.EquivalentTo(new[] { "b", "c" }));
    }

    [Test]
    public void Add_PastCapacity_Overflows_UntilACompletedClearAll()
    {
        var set = new MissedKeySet<string>(2);

        Assert.That(set.Add(["a", "b", "c"]), Is.True);
        Assert.That(set.Add(["d"]), Is.False, "reported once");
        var taken = set.Take();
        Assert.That(taken.Overflowed, Is.True);

        set.Complete(taken);

        Assert.That(set.IsPending, Is.False);
    }

    [Test]
    public void MarkOverflow_AfterTake_SurvivesTheCompletion()
    {
        var set = new MissedKeySet<string>(5);
        set.MarkOverflow();
        var taken = set.Take();
        set.MarkOverflow();

        set.Complete(taken);

        Assert.That(set.Take().Overflowed, Is.True);
    }
}
