namespace Stockpile.Internal.Tokens;

/// <summary>
/// The names of tokens, the same in every process: <c>g</c> (global), <c>t|type</c> (an entity type) and
/// <c>i|key</c> (an entity instance, by the canonical encoding of one of its keys; polymorphic, so a base type and a
/// derived type name the same row alike).
/// </summary>
internal static class TokenNames
{
    public const string Global = "g";

    public static string Type(Type type) => "t|" + TypeNames.Canonical(StockpileEntityType.EntityClrType(type));

    public static string Instance(EntityKey key) => "i|" + key.Encode(polymorphic: true);

    /// <summary>The type tokens a change of a <paramref name="type"/> bumps: its own and those of its base types.</summary>
    public static IEnumerable<string> TypeAndBases(Type type)
    {
        for (var current = StockpileEntityType.EntityClrType(type); current is not null && current != typeof(object); current = current.BaseType)
        {
            yield return Type(current);
        }
    }
}
