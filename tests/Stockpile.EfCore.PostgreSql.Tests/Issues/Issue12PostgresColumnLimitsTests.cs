using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Fuzz;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 12, torture case 6 on PostgreSQL (lane pg6): what its columns cannot hold as given. Npgsql refuses a
/// <see cref="DateTimeOffset"/> whose offset is not zero and a <see cref="DateTime"/> of the wrong kind for the column
/// (with an <see cref="ArgumentException"/> of its own), and PostgreSQL keeps dates and times to the microsecond, so a
/// key finer than that was stored rounded and never found again (a delete by it left the row). Each is now refused by
/// Stockpile before anything is written, naming the type, key, property and reason; a look-up by a key that names the
/// same instant in another form (an offset, another kind) finds the row, and one no row can hold misses. A value finer
/// than a microsecond that is no key part (review of session 6) is truncated as EF Core's own save stores it.
/// </summary>
public sealed class Issue12PostgresColumnLimitsTests
{
    private static readonly DateTime s_utc = new DateTime(2026, 11, 30, 7, 0, 0, DateTimeKind.Utc).AddMicroseconds(Random.Shared.Next(1, 1_000_000));

    [Test]
    public async Task PutAsync_DateTimeOffsetKeyWithAnOffset_IsRefusedNamingTypeKeyAndReason_WritingNothing()
    {
        var store = await FuzzStoreAsync();
        var item = Keyed(new DateTimeOffset(s_utc).ToOffset(TimeSpan.FromMinutes(330)));

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(item));

        Assert.That(refused!.Message, Does.Contain("Keyed").And.Contain("'Id'").And.Contain("+05:30").And.Contain("UTC"));
        Assert.That(await store.GetAsync<Keyed<DateTimeOffset>>(AltOf(item)), Is.Null, "nothing was written");
    }

    [Test]
    public async Task GetAndDelete_DateTimeOffsetKeyWithAnOffset_FindTheRowStoredInUtc()
    {
        var store = await FuzzStoreAsync();
        var item = Keyed(new DateTimeOffset(s_utc));
        await store.PutAsync(item);
        var sameInstant = item.Id.ToOffset(TimeSpan.FromHours(-9));

        Assert.That((await store.GetAsync<Keyed<DateTimeOffset>, DateTimeOffset>(sameInstant))?.Alt, Is.EqualTo(item.Alt));
        Assert.That((await store.GetManyAsync<Keyed<DateTimeOffset>, DateTimeOffset>([sameInstant]))[0]?.Alt, Is.EqualTo(item.Alt));
        Assert.That(await store.DeleteAsync(EntityKey.For<Keyed<DateTimeOffset>>(sameInstant)), Is.True);
        Assert.That(await store.GetAsync<Keyed<DateTimeOffset>>(AltOf(item)), Is.Null);
    }

    [TestCase(DateTimeKind.Unspecified)]
    [TestCase(DateTimeKind.Local)]
    public async Task PutAsync_DateTimeKeyNotUtc_IsRefused_AndItsTicksFindTheUtcRow(DateTimeKind kind)
    {
        var store = await FuzzStoreAsync();
        var refusedItem = Keyed(DateTime.SpecifyKind(s_utc.AddDays(1), kind));

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(refusedItem));

        Assert.That(refused!.Message, Does.Contain("Keyed").And.Contain("'Id'").And.Contain(kind.ToString()).And.Contain("timestamp with time zone"));
        Assert.That(await store.GetAsync<Keyed<DateTime>>(AltOf(refusedItem)), Is.Null, "nothing was written");

        // Stockpile's key is the ticks (its canonical key ignores the kind, as DateTime equality does).
        var item = Keyed(s_utc);
        await store.PutAsync(item);
        Assert.That((await store.GetAsync<Keyed<DateTime>, DateTime>(DateTime.SpecifyKind(s_utc, kind)))?.Alt, Is.EqualTo(item.Alt));
        Assert.That(await store.DeleteAsync(EntityKey.For<Keyed<DateTime>>(DateTime.SpecifyKind(s_utc, kind))), Is.True);
    }

    [TestCase("DateTime")]
    [TestCase("DateTimeOffset")]
    [TestCase("TimeOnly")]
    public Task PutAsync_KeyFinerThanAMicrosecond_IsRefused_AndItsLookUpsMiss(string type) => type switch
    {
        "DateTime" => AssertFinerKeyRefusedAsync(Keyed(s_utc.AddTicks(1))),
        "DateTimeOffset" => AssertFinerKeyRefusedAsync(Keyed(new DateTimeOffset(s_utc).AddTicks(7))),
        _ => AssertFinerKeyRefusedAsync(Keyed(TimeOnly.FromDateTime(s_utc).Add(TimeSpan.FromTicks(3)))),
    };

    [Test]
    public async Task PutGetDelete_DateTimeMaxValueKey_RoundTrips()
    {
        // Npgsql writes DateTime.MaxValue as 'infinity' and reads it back exactly: not a value rounded to the microsecond.
        var store = await FuzzStoreAsync();
        var item = Keyed(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));
        await store.DeleteAsync(item);

        await store.PutAsync(item);

        Assert.That((await store.GetAsync<Keyed<DateTime>, DateTime>(DateTime.MaxValue))?.Alt, Is.EqualTo(item.Alt));
        Assert.That(await store.DeleteAsync(item), Is.True);
    }

    [TestCase(nameof(Stamp.At))]
    [TestCase(nameof(Stamp.Wall))]
    [TestCase(nameof(Stamp.Moment))]
    [TestCase(nameof(Stamp.Span))]
    [TestCase(nameof(Stamp.Time))]
    [TestCase(nameof(Stamp.Maybe))]
    [TestCase("At before 2000")]
    public async Task ChainPutAsync_ValueFinerThanAMicrosecond_IsTruncatedAsEfCoreSavesIt_AndCachedAsAFreshReadReturnsIt(string property)
    {
        // Review of session 6: pg6 refused these values (a key part or not); EF Core's own SaveChanges stores them
        // truncated, silently. Now a value that is no key part is truncated as EF Core stores it, on the object itself,
        // so the database, the object and the tiers above hold what a fresh read returns.
        var stamp = NewStamp();
        _ = property switch
        {
            nameof(Stamp.At) => stamp.At = stamp.At.AddTicks(1),
            nameof(Stamp.Wall) => stamp.Wall = stamp.Wall.AddTicks(9),
            nameof(Stamp.Moment) => (stamp.Moment = stamp.Moment.AddTicks(5)).UtcDateTime,
            nameof(Stamp.Span) => DateTime.MinValue.Add(stamp.Span = TimeSpan.FromTicks(12_345)),
            nameof(Stamp.Time) => DateTime.MinValue.Add((stamp.Time = new TimeOnly(11)).ToTimeSpan()),
            nameof(Stamp.Maybe) => (stamp.Maybe = s_utc.AddTicks(2)).Value,
            // Before PostgreSQL's epoch, Npgsql's microseconds count down from it: truncated toward it, not down.
            _ => stamp.At = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1_234_567),
        };

        await AssertCachedAsAFreshReadReturnsItAsync(stamp);
    }

    [Test]
    public async Task ChainPutAsync_EntityStampedWithUtcNow_IsStored_AndCachedAsAFreshReadReturnsIt()
    {
        var now = DateTime.UtcNow;
        var stamp = NewStamp();
        stamp.At = now.Ticks % 10 == 0 ? now.AddTicks(7) : now; // DateTime.UtcNow's 100 ns ticks, not whole microseconds
        stamp.Moment = new DateTimeOffset(stamp.At);
        stamp.Maybe = stamp.At.AddTicks(-3);

        await AssertCachedAsAFreshReadReturnsItAsync(stamp);
    }

    [Test]
    public async Task SaveChanges_WriteThroughWithNoSourceOfTruth_EntityStampedFinerThanAMicrosecond_CachedAsAFreshReadReturnsIt()
    {
        // The interceptor writes what was saved into a chain that cannot read the row back (memory alone): EF Core's
        // save truncated the times, so the copy it caches must be truncated as well.
        await TestDatabase.Current.EnsureTablesAsync<StampDbContext>();
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory]);
        var factory = TestDatabase.Current.Factory<StampDbContext>(b => b.AddStockpileInterceptor(chain, o => o.DefaultPolicy = StockpileCommitPolicy.WriteThrough));
        var stamp = NewStamp();
        stamp.At = stamp.At.AddTicks(3);
        stamp.Span = TimeSpan.FromTicks(12_345);
        stamp.Maybe = s_utc.AddTicks(-7);
        await using (var context = factory.CreateDbContext())
        {
            context.Add(stamp);
            await context.SaveChangesAsync();
        }

        var cached = await memory.GetAsync<Stamp, int>(stamp.Id);
        var fresh = await FreshAsync(stamp.Id);

        Assert.That(cached, Is.Not.Null, "written through");
        Assert.That(Values(cached!), Is.EqualTo(Values(fresh)), "the cached copy equals a fresh read");
    }

    [Test]
    public async Task PutAsync_FinerValueBesideARefusedOne_IsRefused_ChangingNothing()
    {
        var store = await StampStoreAsync();
        var stamp = NewStamp();
        var finer = stamp.At = stamp.At.AddTicks(3);
        stamp.Wall = DateTime.SpecifyKind(stamp.Wall, DateTimeKind.Utc);

        Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(stamp));

        Assert.That(stamp.At, Is.EqualTo(finer), "the object is not changed by a put that is refused");
        Assert.That(await store.GetAsync<Stamp, int>(stamp.Id), Is.Null, "nothing was written");
    }

    [TestCase(nameof(Stamp.At))]
    [TestCase(nameof(Stamp.Wall))]
    [TestCase(nameof(Stamp.Moment))]
    public async Task PutAsync_ValueOfAKindOrOffsetTheColumnRefuses_IsRefused(string property)
    {
        var store = await StampStoreAsync();
        var stamp = NewStamp();
        var expected = property switch
        {
            nameof(Stamp.At) => (stamp.At = DateTime.SpecifyKind(stamp.At, DateTimeKind.Unspecified)).Kind.ToString(),
            nameof(Stamp.Wall) => (stamp.Wall = DateTime.SpecifyKind(stamp.Wall, DateTimeKind.Utc)).Kind.ToString(),
            _ => (stamp.Moment = stamp.Moment.ToOffset(TimeSpan.FromHours(2))).ToString("zzz", CultureInfo.InvariantCulture),
        };

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(stamp));

        Assert.That(refused!.Message, Does.Contain(nameof(Stamp)).And.Contain($"'{property}'").And.Contain(expected));
        Assert.That(await store.GetAsync<Stamp, int>(stamp.Id), Is.Null, "nothing was written");
    }

    [Test]
    public async Task PutGet_ValuesTheColumnsHold_RoundTripExactly()
    {
        var store = await StampStoreAsync();
        var stamp = NewStamp();
        stamp.Maybe = s_utc.AddHours(1);

        await store.PutAsync(stamp);
        var read = await store.GetAsync<Stamp, int>(stamp.Id);

        Assert.That(read, Is.Not.Null);
        Assert.That((read!.At, read.At.Kind, read.Wall, read.Moment, read.Moment.Offset, read.Span, read.Time, read.Maybe),
            Is.EqualTo((stamp.At, DateTimeKind.Utc, stamp.Wall, stamp.Moment, TimeSpan.Zero, stamp.Span, stamp.Time, stamp.Maybe)));
    }

    /// <summary>
    /// Saves a copy of <paramref name="stamp"/> with EF Core alone, then puts <paramref name="stamp"/> through memory →
    /// EF Core store: the put succeeds, and the memory tier's copy, the object itself and a fresh read all hold what
    /// EF Core's own save stored.
    /// </summary>
    private static async Task AssertCachedAsAFreshReadReturnsItAsync(Stamp stamp)
    {
        var database = await StampStoreAsync();
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory, database]);
        var plain = new Stamp { Id = Random.Shared.Next(), At = stamp.At, Wall = stamp.Wall, Moment = stamp.Moment, Span = stamp.Span, Time = stamp.Time, Maybe = stamp.Maybe };
        await using (var context = TestDatabase.Current.Factory<StampDbContext>().CreateDbContext())
        {
            context.Add(plain);
            await context.SaveChangesAsync();
        }

        await chain.PutAsync(stamp);
        var cached = await memory.GetAsync<Stamp, int>(stamp.Id);
        var fresh = await FreshAsync(stamp.Id);
        var savedByEfCore = await FreshAsync(plain.Id);

        Assert.That(cached, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(Values(fresh), Is.EqualTo(Values(savedByEfCore)), "stored as EF Core's own save stores it");
            Assert.That(Values(cached!), Is.EqualTo(Values(fresh)), "the cached copy equals a fresh read");
            Assert.That(Values(stamp), Is.EqualTo(Values(fresh)), "and so does the object put");
        });
    }

    private static async Task<Stamp> FreshAsync(int id)
    {
        await using var context = TestDatabase.Current.Factory<StampDbContext>().CreateDbContext();
        return await context.Set<Stamp>().AsNoTracking().SingleAsync(s => s.Id == id);
    }

    private static (long At, long Wall, long Moment, long Span, long Time, long? Maybe) Values(Stamp stamp) =>
        (stamp.At.Ticks, stamp.Wall.Ticks, stamp.Moment.UtcTicks, stamp.Span.Ticks, stamp.Time.Ticks, stamp.Maybe?.Ticks);

    private static async Task AssertFinerKeyRefusedAsync<TKey>(Keyed<TKey> item)
        where TKey : notnull
    {
        var store = await FuzzStoreAsync();

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(item));

        Assert.That(refused!.Message, Does.Contain("Keyed").And.Contain("'Id'").And.Contain("microsecond"));
        Assert.That(await store.GetAsync<Keyed<TKey>>(AltOf(item)), Is.Null, "nothing was written");
        Assert.That(await store.GetAsync<Keyed<TKey>, TKey>(item.Id), Is.Null);
        Assert.That(await store.DeleteAsync(item), Is.False);
    }

    private static Keyed<TKey> Keyed<TKey>(TKey id)
        where TKey : notnull => new() { Id = id, Alt = Guid.NewGuid().ToString("N"), Text = "t", Blob = [1] };

    private static EntityKey AltOf<TKey>(Keyed<TKey> item)
        where TKey : notnull => EntityKey.Of<Keyed<TKey>>(nameof(item.Alt), item.Alt);

    private static Stamp NewStamp() => new()
    {
        Id = Random.Shared.Next(),
        At = s_utc,
        Wall = DateTime.SpecifyKind(s_utc.AddDays(-3), DateTimeKind.Unspecified),
        Moment = new DateTimeOffset(s_utc.AddMinutes(5)),
        Span = TimeSpan.FromMilliseconds(1234.567),
        Time = TimeOnly.FromDateTime(s_utc),
    };

    private static async Task<EfCoreStore<FuzzDbContext>> FuzzStoreAsync()
    {
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        return new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
    }

    private static async Task<EfCoreStore<StampDbContext>> StampStoreAsync()
    {
        await TestDatabase.Current.EnsureTablesAsync<StampDbContext>();
        return new EfCoreStore<StampDbContext>(TestDatabase.Current.Factory<StampDbContext>());
    }
}
