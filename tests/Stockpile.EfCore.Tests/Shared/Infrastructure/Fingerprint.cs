namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A primary key Stockpile cannot encode (a byte array): the type is left out of the caches, with a warning.</summary>
public class Fingerprint
{
    public byte[] Hash { get; set; } = [];

    public string Note { get; set; } = "";
}
