namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An owned collection item (OwnsMany, its own table).</summary>
public class ShopperPhone
{
    public string Number { get; set; } = "";
}
