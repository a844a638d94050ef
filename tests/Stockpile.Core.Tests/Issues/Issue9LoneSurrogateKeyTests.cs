using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 9: a string key holding a lone surrogate (<c>"\uD800"</c>) became U+FFFD on its way to Redis (UTF-8), so
/// <c>"\uD800"</c>, <c>"\uDC00"</c> and <c>"\uFFFD"</c> found the same object. Every distinct key must be a distinct
/// key in bytes, on every store.
/// </summary>
[TestFixture]
public sealed class Issue9LoneSurrogateKeyTests
{
    /// <summary>
    /// Writes a lone surrogate as U+FFFD, as System.Text.Json does by itself (the default serializer refuses such text
    /// since issue 12): these tests are about keys, so the objects must be stored whatever their text.
    /// </summary>
    private static readonly SystemTextJsonStockpileSerializer s_replacingSerializer = new(new JsonSerializerOptions { Converters = { new ReplacingStringConverter() } });

    private static readonly string[] s_skus = ["\uD800", "\uDC00", "\uFFFD", "\uD83D\uDE00", "\uDE00\uD83D", "a\uD800b", "a\uFFFDb", "\\uD800"];

    [Test]
    public void Encode_LoneSurrogates_AreDistinctUtf8()
    {
        var encodings = s_skus.Select(static s => EntityKey.Of<Product>("Sku", s).Encode()).ToList();

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        Assert.That(encodings.Select(e => Convert.ToHexString(strict.GetBytes(e))), Is.Unique, "every encoding is valid text, and distinct as UTF-8");
    }

    [Test]
    public async Task Utf8KeyedStore_KeysThatDifferOnlyInLoneSurrogates_AreDistinctKeysAndNeverFindAnotherObject()
    {
        var store = new Utf8KeyValueStore(s_replacingSerializer);
        for (var i = 0; i < s_skus.Length; i++)
        {
            await store.PutAsync(new Product { Id = i + 1, Sku = s_skus[i] });
        }

        Assert.That(store.EntriesByHexKey, Has.Count.EqualTo(s_skus.Length * 2), "a primary key and an alternate key per product, none shared");
        for (var i = 0; i < s_skus.Length; i++)
        {
            // System.Text.Json writes a lone surrogate as U+FFFD, so such an object does not come back with its own key
            // value, and the look-up misses; it must never answer with another product.
            var bySku = await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", s_skus[i]));
            Assert.That(bySku?.Id, Is.Null.Or.EqualTo(i + 1), $"Sku #{i}");
        }

        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "\uFFFD")))?.Id, Is.EqualTo(3));
        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "a\uFFFDb")))?.Id, Is.EqualTo(7));
    }

    [Test]
    public async Task Utf8KeyedStore_DeleteByLoneSurrogateKey_LeavesTheReplacementCharacterKeyAlone()
    {
        var store = new Utf8KeyValueStore(s_replacingSerializer);
        await store.PutAsync(new Product { Id = 1, Sku = "\uFFFD" });
        await store.PutAsync(new Product { Id = 2, Sku = "\uD800" });

        await store.DeleteAsync(EntityKey.Of<Product>("Sku", "\uD800"));

        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "\uFFFD")))?.Id, Is.EqualTo(1));
        Assert.That((await store.GetAsync<Product, int>(1))?.Id, Is.EqualTo(1));
    }

    private sealed class ReplacingStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
