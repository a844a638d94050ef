namespace Stockpile.Tests.Fakes;

/// <summary>The ways a store can be asked for one object; each follows its own code path in a chain.</summary>
public enum ReadPath
{
    PrimaryKeyValue,
    EntityKey,
    AlternateKey,
    Batch,
}
