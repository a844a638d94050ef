namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>Owned by an owned type: two levels below the aggregate root.</summary>
public class GeoPoint
{
    public double Latitude { get; set; }

    public double Longitude { get; set; }
}
