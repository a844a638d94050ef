using System.Reflection;

namespace Stockpile.Internal.KeyValue;

/// <summary>
/// The concrete types derived from one type, by canonical name, found by scanning the loaded assemblies that can hold
/// them (the root's own and those that reference it). Scanned again only when a name is not found and assemblies were
/// loaded since; never loads an assembly.
/// </summary>
internal sealed class DerivedTypes(Type root)
{
    private readonly Lock _scanLock = new();
    private Dictionary<string, Type?> _byName = new(StringComparer.Ordinal);
    private int _scannedAssemblies = -1;

    /// <summary>The derived type with that name; <see langword="null"/> when none is loaded, or when two are (ambiguous).</summary>
    public Type? Find(string name)
    {
        if (Volatile.Read(ref _byName).TryGetValue(name, out var type))
        {
            return type;
        }

        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        lock (_scanLock)
        {
            if (assemblies.Length != _scannedAssemblies)
            {
                Volatile.Write(ref _byName, Scan(assemblies));
                _scannedAssemblies = assemblies.Length;
            }

            return _byName.GetValueOrDefault(name);
        }
    }

    private Dictionary<string, Type?> Scan(Assembly[] assemblies)
    {
        var byName = new Dictionary<string, Type?>(StringComparer.Ordinal);
        var rootAssembly = root.Assembly.GetName().Name;
        foreach (var assembly in assemblies.Where(a => a == root.Assembly || References(a, rootAssembly)))
        {
            foreach (var type in TypesOf(assembly))
            {
                if (type == root || type.IsAbstract || type.ContainsGenericParameters || !root.IsAssignableFrom(type))
                {
                    continue;
                }

                string name;
                try
                {
                    name = TypeNames.NameOf(type);
                }
                catch (StockpileKeyException)
                {
                    continue; // an invalid pinned name: the type cannot have been stored either
                }

                // Two loaded types with one name (two loads of a plug-in): neither is trusted.
                byName[name] = byName.ContainsKey(name) ? null : type;
            }
        }

        return byName;
    }

    private static bool References(Assembly assembly, string? name)
    {
        try
        {
            return assembly.GetReferencedAssemblies().Any(r => r.Name == name);
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static IEnumerable<Type> TypesOf(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
        catch (NotSupportedException)
        {
            return [];
        }
    }
}
