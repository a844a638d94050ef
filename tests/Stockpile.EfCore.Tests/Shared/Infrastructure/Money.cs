namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A complex property (EF Core's ComplexProperty): columns of its owner's row, no identity of its own.</summary>
public class Money
{
    public decimal Amount { get; set; }

    public string Currency { get; set; } = "";
}
