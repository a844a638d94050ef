using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9: a string key holding a lone surrogate (<c>"\uD800"</c>) was turned into U+FFFD on its way to Redis, so
/// <c>"\uD800"</c>, <c>"\uDC00"</c> and <c>"\uFFFD"</c> found the same object. Every distinct key value must be a
/// distinct Redis key, or be refused with a clear error; never another value's key.
/// </summary>
public sealed class Issue9KeyRoundTripTests : RedisFixture
{
    [Test]
    public async Task LoneSurrogateKeys_AreDistinctObjectsOrRefused_NeverAnotherValuesObject()
    {
        await using var store = TestStores.Create(_connection);
        string[] skus = ["\uD800", "\uDC00", "\uFFFD", "a\uD800b", "\uD83D\uDE00"];
        var stored = new Dictionary<string, Product>(StringComparer.Ordinal);
        foreach (var sku in skus)
        {
            var product = new Product { Id = TestStores.NextId(), Sku = sku, Name = "named " + sku };
            try
            {
                await store.PutAsync(product);
                stored[sku] = product;
            }
            catch (StockpileKeyException ex)
            {
                Assert.That(ex.EntityType, Is.EqualTo(typeof(Product)));
                Assert.That(ex.KeyName, Is.EqualTo(nameof(Product.Sku)));
                Assert.That(ex.Message, Does.Contain("surrogate"));
            }
            catch (StockpileSerializationException ex)
            {
                // Issue 12: the serializer refuses the text before the key is looked at (JSON would write U+FFFD).
                Assert.That(ex.ObjectType, Is.EqualTo(typeof(Product)));
                Assert.That(ex.Message, Does.Contain("surrogate"));
            }
        }

        Assert.That(stored.Keys, Does.Contain("\uFFFD").And.Contain("\uD83D\uDE00"), "well-formed text is never refused");
        foreach (var sku in skus)
        {
            Product? found = null;
            try
            {
                found = await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku));
            }
            catch (StockpileKeyException) when (!stored.ContainsKey(sku))
            {
                // Refused on the way in, refused on the way out.
            }

            var name = string.Join(' ', sku.Select(c => ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));
            if (found is not null)
            {
                Assert.That(found.Id, Is.EqualTo(stored.GetValueOrDefault(sku)?.Id), $"the key {name} finds its own object, never another value's");
            }
            else
            {
                // A lone surrogate may not survive the serializer (JSON writes U+FFFD): the object no longer holds the key, a miss.
                Assert.That(Stockpile.Internal.Utf16Text.IsWellFormed(sku), Is.False, $"the well-formed key {name} finds its object");
            }
        }
    }
}
