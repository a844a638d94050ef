namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Owned by <see cref="Shopper"/> (table splitting), and owns <see cref="GeoPoint"/> one level deeper.</summary>
public class ShopperAddress
{
    public string City { get; set; } = "";

    public GeoPoint Geo { get; set; } = new();
}
