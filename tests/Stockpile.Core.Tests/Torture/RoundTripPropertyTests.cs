using Stockpile.Testing.Fuzz;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Torture;

/// <summary>
/// Issue 12, torture case 6 (the in-process stores): randomized objects of every supported key type round-trip through
/// the memory store (by reference and copying), a key-value store that keeps bytes, and a chain of both, or are refused
/// with an exception naming the type, key and reason, leaving nothing behind. FsCheck makes the cases from a seed
/// printed before the run; <c>STOCKPILE_FSCHECK_SEED</c> replays it, <c>STOCKPILE_SOAK=1</c> runs ten times as many.
/// </summary>
[Category("Torture")]
public sealed class RoundTripPropertyTests
{
    private const int LargeBlobBytes = 256 * 1024;

    public enum Kind
    {
        Memory,
        MemoryCopying,
        KeyValue,
        Chain,
    }

    [TestCase(Kind.Memory)]
    [TestCase(Kind.MemoryCopying)]
    [TestCase(Kind.KeyValue)]
    [TestCase(Kind.Chain)]
    public async Task PutGetDelete_RandomObjects_RoundTripOrAreRefusedLeavingNothing(Kind kind)
    {
        var refused = 0;
        var count = await FuzzRun.RunAsync($"round trip ({kind})", FuzzGenerators.Entity(LargeBlobBytes), 150, async item =>
        {
            var (store, tiers) = Create(kind);
            refused += await RoundTrip.CheckAsync(store, tiers, item) ? 1 : 0;
        });

        TestContext.Progress.WriteLine($"round trip ({kind}): {count} objects, {refused} refused");
    }

    private static (ObjectStore Store, ObjectStore[] Tiers) Create(Kind kind)
    {
        switch (kind)
        {
            case Kind.Memory:
                var memory = new MemoryStore();
                return (memory, [memory]);
            case Kind.MemoryCopying:
                var copying = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
                return (copying, [copying]);
            case Kind.KeyValue:
                var keyValue = new DictionaryKeyValueStore();
                return (keyValue, [keyValue]);
            default:
                ObjectStore[] tiers = [new MemoryStore(), new DictionaryKeyValueStore()];
                return (new ChainedStore(tiers), tiers);
        }
    }
}
