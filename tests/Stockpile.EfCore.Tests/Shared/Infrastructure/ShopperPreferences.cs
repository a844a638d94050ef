namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An owned type mapped to a JSON column, holding an owned collection of its own.</summary>
public class ShopperPreferences
{
    public string Theme { get; set; } = "";

    public List<ShopperAlert> Alerts { get; set; } = [];
}
