namespace Stockpile.Testing.Entities;

/// <summary>A base class whose key its derived classes inherit.</summary>
public class Automobile
{
    [StockpileKey]
    public int Id { get; set; }

    public string Make { get; set; } = "";
}

/// <summary>A derived class with a key of its own.</summary>
public class Car : Automobile
{
    [StockpileKey]
    public string Vin { get; set; } = "";

    public int Doors { get; set; }
}

/// <summary>Another derived class.</summary>
public class Truck : Automobile
{
    public int Axles { get; set; }
}
