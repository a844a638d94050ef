using System.Text.Json;
using Stockpile.Internal.Keys;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Internal.Keys;

public sealed class EntityKeyWireFormatTests
{
    public enum Color : short { Red = 1, Blue = 2 }

    [StockpileKey(nameof(A), nameof(B), nameof(C), nameof(D), nameof(E), nameof(F), nameof(G), nameof(H), nameof(I), nameof(J), nameof(K), Name = "All")]
    public sealed class Everything
    {
        [StockpileKey] public long Id { get; set; }
        public string A { get; set; } = "";
        public Guid B { get; set; }
        public Color C { get; set; }
        public bool D { get; set; }
        public char E { get; set; }
        public decimal F { get; set; }
        public DateTime G { get; set; }
        public DateTimeOffset H { get; set; }
        public DateOnly I { get; set; }
        public TimeOnly J { get; set; }
        public ulong K { get; set; }
    }

    private static EntityKey RoundTrip(EntityKey key)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            EntityKeyWireFormat.Write(writer, key);
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        Assert.That(EntityKeyWireFormat.TryRead(document.RootElement, out var read), Is.True);
        return read!;
    }

    [Test]
    public void TryRead_AfterWrite_RebuildsEqualKey_ForEveryValueType()
    {
        var key = EntityKey.Of<Everything>("All", "x|\\\"y", Guid.NewGuid(), Color.Blue, true, '|', 1.50m,
            new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
            new DateOnly(2026, 11, 21), new TimeOnly(13, 14, 15), ulong.MaxValue);

        var read = RoundTrip(key);

        Assert.That(read, Is.EqualTo(key));
        Assert.That(read.Encode(), Is.EqualTo(key.Encode()));
    }

    [Test]
    public void TryRead_CompositeAndPrimary_RoundTrip()
    {
        Assert.That(RoundTrip(EntityKey.For<OrderLine>(4, 2)), Is.EqualTo(EntityKey.For<OrderLine>(4, 2)));
        Assert.That(RoundTrip(EntityKey.Of<Product>(nameof(Product.Sku), "S-1")), Is.EqualTo(EntityKey.Of<Product>(nameof(Product.Sku), "S-1")));
    }

    [Test]
    public void TryRead_UnknownTypeOrKey_ReturnsFalse()
    {
        using var unknownType = JsonDocument.Parse("""{"t":"No.Such.Type","k":"Id","v":[1]}""");
        using var unknownKey = JsonDocument.Parse($$"""{"t":"{{typeof(Product).FullName}}","k":"Nope","v":[1]}""");
        using var wrongArity = JsonDocument.Parse($$"""{"t":"{{typeof(Product).FullName}}","k":"Id","v":[1,2]}""");
        _ = StockpileEntityType.For<Product>();

        Assert.That(EntityKeyWireFormat.TryRead(unknownType.RootElement, out _), Is.False);
        Assert.That(EntityKeyWireFormat.TryRead(unknownKey.RootElement, out _), Is.False);
        Assert.That(EntityKeyWireFormat.TryRead(wrongArity.RootElement, out _), Is.False);
    }
}
