namespace Stockpile.Tests.Fakes;

/// <summary>The failure a <see cref="ChaosStore"/> injects, so tests can tell it from a real one.</summary>
public sealed class ChaosException : Exception
{
    public ChaosException()
    {
    }

    public ChaosException(string message)
        : base(message)
    {
    }

    public ChaosException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
