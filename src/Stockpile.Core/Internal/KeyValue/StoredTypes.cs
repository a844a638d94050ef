using System.Collections.Concurrent;

namespace Stockpile.Internal.KeyValue;

/// <summary>
/// Turns a type name read from stored bytes into the type to deserialize, allowing only the type a key files and, in a
/// polymorphic store, types derived from it. Nothing read from outside is remembered: a foreign name costs a look-up,
/// never an entry.
/// </summary>
internal static class StoredTypes
{
    // One entry per key-owning type the program reads polymorphically: bounded by the program's own types.
    private static readonly ConcurrentDictionary<Type, DerivedTypes> s_derived = new();

    /// <summary>The type named, or <see langword="null"/> when it is not one a key of <paramref name="keyOwner"/> may file.</summary>
    public static Type? Resolve(string name, Type keyOwner, bool polymorphic)
    {
        if (name == TypeNames.Canonical(keyOwner))
        {
            return keyOwner;
        }

        if (!polymorphic)
        {
            return null;
        }

        if (TypeNames.TryFind(name, out var known))
        {
            return keyOwner.IsAssignableFrom(known) ? known : null;
        }

        // A derived type this process has not used yet (another instance put a Truck; this one asks for Automobiles).
        return s_derived.GetOrAdd(keyOwner, static root => new DerivedTypes(root)).Find(name);
    }
}
