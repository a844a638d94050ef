namespace Stockpile.Testing.Fuzz;

/// <summary>An enum key type.</summary>
public enum FuzzShade
{
    Light = 1,
    Dark = 2,
}
