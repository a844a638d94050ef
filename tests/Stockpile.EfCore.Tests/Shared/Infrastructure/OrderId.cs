namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A strongly typed id, mapped to a Guid column with a value converter.</summary>
public readonly record struct OrderId(Guid Value);
