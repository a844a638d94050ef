using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreConstructionTests
{
    [Test]
    public void Constructor_NullTiers_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new ChainedStore(null!));

        Assert.That(ex!.ParamName, Is.EqualTo("tiers"));
    }

    [Test]
    public void Constructor_NoTiers_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new ChainedStore([]));

        Assert.That(ex!.ParamName, Is.EqualTo("tiers"));
        Assert.That(ex.Message, Does.Contain("empty"));
    }

    [Test]
    public void Constructor_NullTier_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new ChainedStore([new MemoryStore(), null!]));
    }

    [Test]
    public void Constructor_SameTierTwice_ThrowsArgumentException()
    {
        var memory = new MemoryStore();

        Assert.Throws<ArgumentException>(() => _ = new ChainedStore([memory, memory]));
    }

    [Test]
    public void Properties_FollowTheTiers()
    {
        var top = new MemoryStore();
        var bottom = new SourceOfTruthStore(new MemoryStore(), "db");

        var chain = new ChainedStore([top, bottom]);

        Assert.That(chain.Tiers, Is.EqualTo(new ObjectStore[] { top, bottom }));
        Assert.That(chain.IsSourceOfTruth, Is.True);
        Assert.That(chain.Name, Is.EqualTo("chain"));
        Assert.That(new ChainedStore([new MemoryStore()]).IsSourceOfTruth, Is.False);
    }
}
