using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Fuzz;

namespace Stockpile.EfCore.Tests.Stores;

/// <summary>
/// Issue 12, torture case 6 (the EF Core store, on SQLite and on PostgreSQL): randomized objects of every supported key
/// type (separators, escapes, braces, lone surrogates, empty and long texts, blobs up to 256 KiB, dates and times of
/// any tick, offset and kind) round-trip through <see cref="EfCoreStore{TContext}"/> alone and under a memory tier, or
/// are refused with an exception naming the type, key and reason, leaving nothing in any tier. FsCheck makes the cases
/// from a seed printed before the run; <c>STOCKPILE_FSCHECK_SEED</c> replays it, <c>STOCKPILE_SOAK=1</c> runs ten times
/// as many.
/// <para>On PostgreSQL (lane pg6) the provider's limits are Stockpile's refusals: text with a NUL or a lone surrogate,
/// a time finer than a microsecond, a <see cref="DateTimeOffset"/> with an offset or a <see cref="DateTime"/> of a
/// kind its column refuses are refused before anything is written, and a look-up by a key no row can hold misses
/// (see <c>Issue12PostgresColumnLimitsTests</c>).</para>
/// </summary>
[Category("Torture")]
public sealed class EfCoreRoundTripPropertyTests
{
    private const int LargeBlobBytes = 256 * 1024;

    [TestCase(false)]
    [TestCase(true)]
    public async Task PutGetDelete_RandomObjects_RoundTripOrAreRefusedLeavingNothing(bool chained)
    {
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var database = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var name = $"round trip ({TestDatabase.Current.Provider}, {(chained ? "memory, EF Core" : "EF Core")})";
        var refused = 0;
        var count = await FuzzRun.RunAsync(name, FuzzGenerators.Entity(LargeBlobBytes), 60, async item =>
        {
            ObjectStore[] tiers = chained ? [new MemoryStore(), database] : [database];
            var store = chained ? new ChainedStore(tiers) : (ObjectStore)database;
            refused += await RoundTrip.CheckAsync(store, tiers, item) ? 1 : 0;
        });

        TestContext.Progress.WriteLine($"{name}: {count} objects, {refused} refused");
    }
}
