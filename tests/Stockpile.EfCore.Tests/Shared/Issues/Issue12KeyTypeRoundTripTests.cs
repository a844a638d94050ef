using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Fuzz;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 12, torture case 6 on the EF Core store, what the randomized round trips found: a get by a key of a type
/// SQLite cannot order (<see cref="DateTimeOffset"/>, <see cref="ulong"/>) failed with EF Core's "SQLite does not
/// support expressions of type … in ORDER BY clauses" (the compiled key query ordered by the key before <c>Take(2)</c>;
/// it reads the matching rows unordered now, and stops at the second exact match); and text with a lone surrogate or a
/// NUL was stored changed (U+FFFD, or cut at the NUL) without a word: such a put is refused now, before anything is
/// written. On PostgreSQL (lane pg6) a look-up by such text threw Npgsql's error (22021 for a NUL, an
/// <see cref="System.Text.EncoderFallbackException"/> for a lone surrogate) instead of missing: no row can hold that key,
/// so the store answers a miss without asking the database (the PostgreSQL-only limits are in
/// <c>Issue12PostgresColumnLimitsTests</c>).
/// </summary>
public sealed class Issue12KeyTypeRoundTripTests
{
    [Test]
    public async Task PutGetDelete_KeyTypesSqliteCannotOrder_RoundTrip()
    {
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var store = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var offset = new Keyed<DateTimeOffset> { Id = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero).AddMicroseconds(Random.Shared.Next()), Alt = Guid.NewGuid().ToString("N"), Text = "t", Blob = [1, 2] };
        var unsigned = new Keyed<ulong> { Id = ulong.MaxValue - (ulong)Random.Shared.Next(), Alt = Guid.NewGuid().ToString("N"), Text = "u", Blob = [3] };

        await store.PutManyAsync<object>([offset, unsigned]);

        Assert.That((await store.GetAsync<Keyed<DateTimeOffset>, DateTimeOffset>(offset.Id))?.Alt, Is.EqualTo(offset.Alt));
        Assert.That((await store.GetAsync<Keyed<DateTimeOffset>>(EntityKey.Of<Keyed<DateTimeOffset>>(nameof(offset.Alt), offset.Alt)))?.Id, Is.EqualTo(offset.Id));
        Assert.That((await store.GetAsync<Keyed<ulong>, ulong>(unsigned.Id))?.Alt, Is.EqualTo(unsigned.Alt));
        Assert.That(await store.DeleteAsync(offset), Is.True);
        Assert.That(await store.DeleteAsync(unsigned), Is.True);
        Assert.That(await store.GetAsync<Keyed<ulong>, ulong>(unsigned.Id), Is.Null);
    }

    // A lone surrogate cannot be written in an attribute (its UTF-8 metadata turns it into U+FFFD): "{S}" stands for one.
    [TestCase("a{S}b", "Text")]
    [TestCase("tail\0", "Text")]
    [TestCase("ok", "Alt")]
    public async Task PutAsync_TextTheDatabaseCannotStore_IsRefusedNamingTypeKeyAndProperty_WritingNothing(string text, string property)
    {
        text = text.Replace("{S}", "\uD800", StringComparison.Ordinal);
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var store = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var id = Random.Shared.Next();
        var item = new Keyed<int> { Id = id, Alt = property == "Alt" ? "alt\uDC00" : Guid.NewGuid().ToString("N"), Text = text, Blob = [1] };

        var refused = Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(item));

        Assert.That(refused!.Message, Does.Contain("Keyed").And.Contain(property).And.Contain(id.ToString(System.Globalization.CultureInfo.InvariantCulture)), "names the type, the property and the key");
        Assert.That(await store.GetAsync<Keyed<int>, int>(id), Is.Null, "nothing was written");
    }

    [Test]
    public async Task PutAsync_CharKeyLoneSurrogate_IsRefusedWritingNothing()
    {
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var store = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var item = new Keyed<char> { Id = '\uD9C1', Alt = Guid.NewGuid().ToString("N"), Text = "t", Blob = [1] };

        Assert.ThrowsAsync<StockpileSerializationException>(async () => await store.PutAsync(item));

        Assert.That(await store.GetAsync<Keyed<char>>(EntityKey.Of<Keyed<char>>(nameof(item.Alt), item.Alt)), Is.Null, "nothing was written");
    }

    [TestCase("a{S}b")]
    [TestCase("tail\0")]
    public async Task GetGetManyDelete_KeyNoRowCanHold_MissWithoutError(string text)
    {
        text = text.Replace("{S}", "\uD800", StringComparison.Ordinal);
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var store = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var kept = new Keyed<string> { Id = Guid.NewGuid().ToString("N"), Alt = Guid.NewGuid().ToString("N"), Text = "kept", Blob = [1] };
        await store.PutAsync(kept);
        var byId = EntityKey.Of<Keyed<string>>(nameof(kept.Id), text);
        var byAlt = EntityKey.Of<Keyed<string>>(nameof(kept.Alt), text);

        Assert.That(await store.GetAsync<Keyed<string>, string>(text), Is.Null, "get by the primary key's value");
        Assert.That(await store.GetAsync<Keyed<string>>(byAlt), Is.Null, "get by the alternate key");
        var batch = await store.GetManyAsync<Keyed<string>>([byId, EntityKey.FromEntity(kept), byAlt]);
        Assert.That(batch[0], Is.Null);
        Assert.That(batch[1]?.Text, Is.EqualTo("kept"), "the other look-ups of the batch are answered");
        Assert.That(batch[2], Is.Null);
        Assert.That((await store.GetManyAsync<Keyed<string>, string>([text, kept.Id])).Select(k => k?.Text), Is.EqualTo(new[] { null, "kept" }));
        Assert.That(await store.DeleteAsync(byId), Is.False);
        Assert.That(await store.DeleteManyAsync([byAlt, EntityKey.FromEntity(kept)]), Is.EqualTo(1), "the batch deletes what can exist");
    }

    /// <summary>PostgreSQL maps a <see cref="char"/> to <c>character(1)</c>, which pads with spaces: a space, or any char, must still come back as itself.</summary>
    [TestCase(' ')]
    [TestCase('x')]
    [TestCase('\u00e9')]
    public async Task PutGetDelete_CharKey_RoundTrips(char id)
    {
        await TestDatabase.Current.EnsureTablesAsync<FuzzDbContext>();
        var store = new EfCoreStore<FuzzDbContext>(TestDatabase.Current.Factory<FuzzDbContext>());
        var item = new Keyed<char> { Id = id, Alt = Guid.NewGuid().ToString("N"), Text = "c", Blob = [1] };
        await store.DeleteAsync(item);

        await store.PutAsync(item);

        Assert.That((await store.GetAsync<Keyed<char>, char>(id))?.Alt, Is.EqualTo(item.Alt));
        Assert.That((await store.GetAsync<Keyed<char>>(EntityKey.Of<Keyed<char>>(nameof(item.Alt), item.Alt)))?.Id, Is.EqualTo(id));
        Assert.That(await store.DeleteAsync(item), Is.True);
    }
}
