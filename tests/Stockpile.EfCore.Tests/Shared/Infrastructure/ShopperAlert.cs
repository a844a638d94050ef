namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An item of an owned collection inside a JSON column.</summary>
public class ShopperAlert
{
    public string Topic { get; set; } = "";
}
