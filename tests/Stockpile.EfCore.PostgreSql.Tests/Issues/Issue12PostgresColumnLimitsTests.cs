using System.Globalization;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Fuzz;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 12, torture case 6 on PostgreSQL (lane pg6): what its columns cannot hold as given. Npgsql refuses a
/// <see cref="DateTimeOffset"/> whose offset is not zero and a <see cref="DateTime"/> of the wrong kind for the column
/// (with an <see cref="ArgumentException"/> of its own), and PostgreSQL keeps dates and times to the microsecond, so a
/// key finer than that was stored rounded and never found again (a delete by it left the row). Each is now refused by
/// Stockpile before anything is written, naming the type, key, property and reason; a look-up by a key that names the
/// same instant in another form (an offset, another kind) finds the row, and one no row can hold misses.
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
    public async Task PutAsync_ValueFinerThanAMicrosecond_IsRefusedNamingTypeKeyAndProperty_WritingNothing(string property)
    {
        var store = await StampStoreAsync();
        var stamp = NewStamp();
        _ = property switch
        {
            nameof(Stamp.At) => stamp.At = stamp.At.AddTicks(1),
            nameof(Stamp.Wall) => stamp.Wall = stamp.Wall.AddTicks(9),
            nameof(Stamp.Moment) => (stamp.Moment = stamp.Moment.AddTicks(5)).UtcDateTime,
            nameof(Stamp.Span) => DateTime.MinValue.Add(stamp.Span = TimeSpan.FromTicks(12_345)),
            nameof(Stamp.Time) => DateTime.MinValue.Add((stamp.Time = new TimeOnly(11)).ToTimeSpan()),
            _ => (stamp.Maybe = s_utc.AddTicks(2)).Value,
        };

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(stamp));

        Assert.That(refused!.Message, Does.Contain(nameof(Stamp)).And.Contain($"'{property}'").And.Contain(stamp.Id.ToString(CultureInfo.InvariantCulture)).And.Contain("microsecond"));
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
