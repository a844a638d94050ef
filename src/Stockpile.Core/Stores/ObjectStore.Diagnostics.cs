namespace Stockpile;

public abstract partial class ObjectStore
{
    /// <summary>Gets the OpenTelemetry <c>db.system</c> of what the store talks to (<c>redis</c>, <c>sqlite</c>, …), or <see langword="null"/> for an in-process store.</summary>
    internal virtual string? DbSystem => null;
}
