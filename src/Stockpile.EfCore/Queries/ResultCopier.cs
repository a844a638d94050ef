namespace Stockpile.Internal;

/// <summary>
/// Copies a cached query's result for one caller, so a caller changing what it got never changes the cache (the rule
/// <see cref="IStockpileCache"/> keeps for mutable values), at a fraction of a serializer round trip: lists, arrays and
/// collections are rebuilt, objects (entities, DTOs, anonymous types) are cloned field by field with accessors compiled
/// once per type; immutable values (strings, numbers, dates) are shared. A graph is copied as a graph: an object reached
/// twice (an <c>Include</c> and its inverse navigation) is copied once. Types it cannot rebuild (dictionaries, structs
/// holding references) go through JSON.
/// </summary>
internal static class ResultCopier<T>
{
    public static T Copy(T value) => value is null || ObjectCopier.IsImmutable(value.GetType()) ? value : (T)ObjectCopier.Copy(value, new ObjectCopier.Graph())!;
}
