namespace Stockpile.Internal;

/// <summary>Builds every exception message of the assembly in one place, so they read alike.</summary>
internal static class ExceptionMessages
{
    public static string Key(Type? entityType, string? keyName, string reason)
    {
        var type = entityType is null ? "(unknown type)" : TypeNames.Display(entityType);
        return keyName is null
            ? $"Stockpile key error on type '{type}': {reason}"
            : $"Stockpile key error on type '{type}', key '{keyName}': {reason}";
    }

    public static string CacheNotAnInteger(string key) =>
        $"Stockpile cache key '{key}' holds a value that is not an integer, so it cannot be incremented.";

    public static string CacheIncrementOverflow(string key, long delta) =>
        $"Stockpile cache key '{key}' cannot be incremented by {delta}: the result would overflow a 64-bit integer.";

    public const string LoneSurrogate =
        "a string holds a lone surrogate (a UTF-16 code unit U+D800-U+DFFF outside a pair), which JSON cannot carry: it would be read back as U+FFFD.";

    public static string Serialization(Type type, string operation, string reason) =>
        $"Stockpile could not {operation} an object of type '{TypeNames.Display(type)}': {reason}";

    public static string Tag(Type entityType, string key, string reason) =>
        $"Stockpile tag error on type '{TypeNames.Display(entityType)}', key '{key}': {reason}";

    public static string Tier(string tierName, string operation, string reason) =>
        $"Stockpile tier '{tierName}' failed to {operation}: {reason}";

    public static string Lifetime(string text, string reason) =>
        $"Stockpile could not read the lifetime '{text}': {reason}.";

    public static string ContainerLifetime(string container, string text, string reason) =>
        $"Stockpile container '{container}' has the lifetime '{text}', which is not one: {reason}.";

    public static string KeyValue(string keyName, Type type) =>
        $"Stockpile key '{keyName}' cannot hold a value of type '{TypeNames.Display(type)}': give strings, numbers, booleans, Guids, dates, times, enums or null (write other values as a string).";

    public static string ContainerKeyNotFound(string container, string key) =>
        $"Stockpile container '{container}' holds no value for key '{key}', and it has no generator to make one. Register it with a generator (AddContainer<T>(\"{container}\", generator)) or store the value first.";

    public static string ContainerNameTaken(string container) =>
        $"A Stockpile container named '{container}' is already registered; give each container its own name.";

    public static string CacheNameTaken(string cache) =>
        $"A Stockpile cache named '{cache}' is already registered; give each AddCache call its own name.";

    public static string CacheUnknown(string cache, IReadOnlyCollection<string> names) =>
        $"No Stockpile cache is named '{cache}'. Registered: {(names.Count == 0 ? "none" : string.Join(", ", names.Select(static n => $"'{n}'")))}. Add it with AddCache(\"{cache}\").";

    public static string ContainerUnknown(string container, IReadOnlyCollection<string> names) =>
        $"No Stockpile container is named '{container}'. Registered: {(names.Count == 0 ? "none" : string.Join(", ", names.Select(static n => $"'{n}'")))}. Add it with AddContainer(\"{container}\").";

    public static string ContainerValueType(string container, Type made, Type asked) =>
        $"Stockpile container '{container}' makes values of type '{TypeNames.Display(made)}', which are not '{TypeNames.Display(asked)}'.";

    public static string CacheLifetime(string cache, string text, string reason) =>
        $"Stockpile cache '{cache}' has the DefaultExpiration '{text}', which is not a lifetime: {reason}.";
}
