namespace Stockpile.Internal;

/// <summary>Where one key property's values come from in a bulk statement: constants known at compilation, or a query parameter.</summary>
/// <param name="Parameter">The query parameter's name, or <see langword="null"/> for constants.</param>
/// <param name="Constants">The constant values when <paramref name="Parameter"/> is <see langword="null"/>.</param>
/// <param name="IsCollection">Whether the predicate is a <c>Contains</c> over a set of values.</param>
internal sealed record KeyValueSource(string? Parameter, object?[] Constants, bool IsCollection);
