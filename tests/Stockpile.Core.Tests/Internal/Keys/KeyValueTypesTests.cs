namespace Stockpile.Tests.Internal.Keys;

/// <summary>Every supported key type, plain and nullable, works end to end: a look-up, a memory store, a copying memory store.</summary>
[TestFixture]
public sealed class KeyValueTypesTests
{
    public enum Color
    {
        Red,
        Green,
    }

    public enum Huge : ulong
    {
        Max = ulong.MaxValue,
    }

    public static IEnumerable<TestCaseData> SupportedValues()
    {
        yield return Case<int, int>(-42);
        yield return Case<long, long>(long.MaxValue);
        yield return Case<short, short>(short.MinValue);
        yield return Case<byte, byte>(255);
        yield return Case<sbyte, sbyte>(-7);
        yield return Case<ushort, ushort>(ushort.MaxValue);
        yield return Case<uint, uint>(uint.MaxValue);
        yield return Case<ulong, ulong>(ulong.MaxValue);
        yield return Case<string, string>("");
        yield return Case<string, string>(@"a|b\c:d");
        yield return Case<string, string>("snow \u2603 and a pair \U0001F600");
        yield return Case<Guid, Guid>(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        yield return Case<Color, Color>(Color.Green);
        yield return Case<Huge, Huge>(Huge.Max);
        yield return Case<bool, bool>(true);
        yield return Case<bool, bool>(false);
        yield return Case<char, char>('|');
        yield return Case<char, char>('\u00e9');
        yield return Case<decimal, decimal>(-12.50m);
        yield return Case<DateTime, DateTime>(new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(8));
        yield return Case<DateTimeOffset, DateTimeOffset>(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)));
        yield return Case<DateOnly, DateOnly>(new DateOnly(2026, 2, 28));
        yield return Case<TimeOnly, TimeOnly>(new TimeOnly(23, 59, 58, 999));
        yield return Case<int?, int>(7);
        yield return Case<long?, long>(-1);
        yield return Case<Guid?, Guid>(Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"));
        yield return Case<Color?, Color>(Color.Red);
        yield return Case<bool?, bool>(true);
        yield return Case<char?, char>('x');
        yield return Case<decimal?, decimal>(0.001m);
        yield return Case<DateTime?, DateTime>(new DateTime(2000, 1, 1));
        yield return Case<DateTimeOffset?, DateTimeOffset>(DateTimeOffset.UnixEpoch);
        yield return Case<DateOnly?, DateOnly>(DateOnly.MinValue);
        yield return Case<TimeOnly?, TimeOnly>(TimeOnly.MaxValue);
    }

    [TestCaseSource(nameof(SupportedValues))]
    public Task Key_RoundTripsThroughLookUpAndStores(Func<Task> roundTrip) => roundTrip();

    [Test]
    public async Task Decimal_SameValueOtherScale_FindsSameObject()
    {
        var store = new MemoryStore();
        await store.PutAsync(new Holder<decimal> { Id = 1.0m, Payload = "one" });

        Assert.That(EntityKey.For<Holder<decimal>>(1.00m), Is.EqualTo(EntityKey.For<Holder<decimal>>(1.0m)));
        Assert.That((await store.GetAsync<Holder<decimal>, decimal>(1.000m))?.Payload, Is.EqualTo("one"));
    }

    [Test]
    public async Task DateTime_SameTicksOtherKind_FindsSameObject()
    {
        var ticks = new DateTime(2026, 1, 1).Ticks;
        var store = new MemoryStore();
        await store.PutAsync(new Holder<DateTime> { Id = new DateTime(ticks, DateTimeKind.Utc), Payload = "utc" });

        Assert.That((await store.GetAsync<Holder<DateTime>, DateTime>(new DateTime(ticks, DateTimeKind.Local)))?.Payload, Is.EqualTo("utc"));
    }

    [Test]
    public async Task DateTimeOffset_SameInstantOtherOffset_FindsSameObject()
    {
        var store = new MemoryStore();
        var instant = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        await store.PutAsync(new Holder<DateTimeOffset> { Id = instant, Payload = "noon" });

        var elsewhere = instant.ToOffset(TimeSpan.FromHours(-5));

        Assert.That(EntityKey.For<Holder<DateTimeOffset>>(elsewhere).Encode(), Is.EqualTo(EntityKey.For<Holder<DateTimeOffset>>(instant).Encode()));
        Assert.That((await store.GetAsync<Holder<DateTimeOffset>, DateTimeOffset>(elsewhere))?.Payload, Is.EqualTo("noon"));
    }

    private static TestCaseData Case<TProperty, TValue>(TValue value)
        where TValue : notnull =>
        new TestCaseData(new Func<Task>(() => AssertRoundTripAsync<TProperty, TValue>(value)))
            .SetArgDisplayNames($"{typeof(TProperty).Name}{(Nullable.GetUnderlyingType(typeof(TProperty)) is { } u ? $"<{u.Name}>" : "")} {value}");

    private static async Task AssertRoundTripAsync<TProperty, TValue>(TValue value)
        where TValue : notnull
    {
        var holder = new Holder<TProperty> { Id = (TProperty)(object)value, Payload = "payload" };
        var key = EntityKey.For<Holder<TProperty>>(value);

        Assert.That(key.Values.Single(), Is.EqualTo(value));
        Assert.That(key.Values.Single().GetType(), Is.EqualTo(typeof(TValue)));
        Assert.That(EntityKey.FromEntity(holder), Is.EqualTo(key));
        Assert.That(EntityKey.FromEntity(holder).Encode(), Is.EqualTo(key.Encode()));

        foreach (var copy in new[] { false, true })
        {
            var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = copy });
            await store.PutAsync(holder);

            var byKey = await store.GetAsync<Holder<TProperty>>(key);
            var byValue = await store.GetAsync<Holder<TProperty>, TValue>(value);

            foreach (var found in new[] { byKey, byValue })
            {
                Assert.That(found?.Payload, Is.EqualTo("payload"), $"copy={copy}");
                Assert.That(EntityKey.FromEntity(found!), Is.EqualTo(key), $"copy={copy}");
            }

            Assert.That(await store.DeleteAsync(key), Is.True);
            Assert.That(await store.GetAsync<Holder<TProperty>>(key), Is.Null);
        }
    }

    public sealed class Holder<TKey>
    {
        [StockpileKey]
        public TKey Id { get; set; } = default!;

        public string Payload { get; set; } = "";
    }
}
