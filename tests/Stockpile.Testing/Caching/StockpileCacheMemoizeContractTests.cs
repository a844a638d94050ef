using Stockpile.Internal.Caching;

namespace Stockpile.Testing.Caching;

/// <summary>Memoized functions, on every tier layout.</summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheMemoizeContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    [Test]
    public async Task Memoize_RunsOncePerArgumentList()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var calls = 0;
        var square = cache.Memoize<int, int>("square", (x, _) =>
        {
            Interlocked.Increment(ref calls);
            return new ValueTask<int>(x * x);
        });

        Assert.That(await square(3, default), Is.EqualTo(9));
        Assert.That(await square(3, default), Is.EqualTo(9));
        Assert.That(await square(4, default), Is.EqualTo(16));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Memoize_SameNameAnywhere_SharesResults_OtherNameDoesNot()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var first = cache.Memoize<string, string, string>("join", (a, b, _) => new ValueTask<string>($"{a}+{b} (first)"));
        var second = cache.Memoize<string, string, string>("join", (a, b, _) => new ValueTask<string>($"{a}+{b} (second)"));
        var other = cache.Memoize<string, string, string>("join2", (a, b, _) => new ValueTask<string>($"{a}+{b} (other)"));

        Assert.That(await first("a", "b", default), Is.EqualTo("a+b (first)"));
        Assert.That(await second("a", "b", default), Is.EqualTo("a+b (first)"), "the same name and arguments are the same call");
        Assert.That(await other("a", "b", default), Is.EqualTo("a+b (other)"));
    }

    [Test]
    public void MemoKeys_ArgumentListsThatPrintAlike_NeverShareAKey()
    {
        string[] keys =
        [
            MemoKeys.For("f", "a|b", "c"), MemoKeys.For("f", "a", "b|c"), MemoKeys.For("f", "a|b|c"),
            MemoKeys.For("f", 1), MemoKeys.For("f", 1L), MemoKeys.For("f", "1"), MemoKeys.For("f"),
            MemoKeys.For("f|args", 1), MemoKeys.For("g", 1),
        ];

        Assert.That(keys, Is.Unique);
        Assert.That(MemoKeys.For("prices", 7, "EUR"), Is.EqualTo("memo:prices|args|i:7|s:EUR"), "stable across processes");
    }

    [Test]
    public void Memoize_ArgumentThatCannotBeAKey_IsAClearError()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var f = cache.Memoize<object, int>("f", static (_, _) => new ValueTask<int>(1));

        var error = Assert.ThrowsAsync<ArgumentException>(async () => await f(new List<int>(), default));
        Assert.That(error!.Message, Does.Contain("'f'").And.Contain("argument #1"));
        Assert.ThrowsAsync<ArgumentException>(async () => await f(null!, default));
    }

    [Test]
    public async Task Memoize_SyncFunction_AndNoArguments()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var calls = 0;
        var length = cache.Memoize<string, int>("length", s => s.Length + (Interlocked.Increment(ref calls) * 0));
        var now = cache.Memoize("answer", _ => new ValueTask<int>(Interlocked.Increment(ref calls) + 41));

        Assert.That(await length("abc", default), Is.EqualTo(3));
        Assert.That(await length("abc", default), Is.EqualTo(3));
        Assert.That(await now(default), Is.EqualTo(43));
        Assert.That(await now(default), Is.EqualTo(43));
        Assert.That(calls, Is.EqualTo(2));
    }
}
