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

    public static string Serialization(Type type, string operation, string reason) =>
        $"Stockpile could not {operation} an object of type '{TypeNames.Display(type)}': {reason}";

    public static string Tier(string tierName, string operation, string reason) =>
        $"Stockpile tier '{tierName}' failed to {operation}: {reason}";

    public static string Lifetime(string text, string reason) =>
        $"Stockpile could not read the lifetime '{text}': {reason}.";

    public static string ContainerLifetime(string container, string text, string reason) =>
        $"Stockpile container '{container}' has the lifetime '{text}', which is not one: {reason}.";

    public static string KeyValue(string keyName, Type type) =>
        $"Stockpile key '{keyName}' cannot hold a value of type '{TypeNames.Display(type)}': give strings, numbers, booleans, Guids, dates, times, enums or null (write other values as a string).";
}
