using System.Reflection;

namespace Stockpile.Internal;

/// <summary>The look-ups of one batch that use the same key: its properties, and one value array per look-up.</summary>
internal sealed class KeyLookup(IReadOnlyList<PropertyInfo> properties, IReadOnlyList<object[]> values)
{
    public IReadOnlyList<PropertyInfo> Properties { get; } = properties;

    public IReadOnlyList<object[]> Values { get; } = values;

    public bool IsComposite => Properties.Count > 1;

    public static KeyLookup Of(KeyDefinition key, IEnumerable<EntityKey> keys) =>
        new(key.Properties, keys.Select(static k => k.Values as object[] ?? [.. k.Values]).ToArray());
}
