using System.Globalization;

namespace Stockpile.Redis;

/// <summary>
/// Every exception message of the assembly, in one place. None takes a value, an argument or a password:
/// only command names, endpoints, setting names and the server's own error text.
/// </summary>
internal static class ExceptionMessages
{
    public static string ValueTooLarge(string store, string? entityType, string? key, long size, long limit) =>
        Format($"Stockpile store '{store}' refused to put the {entityType} with key '{key}': its serialized value is {size} bytes, over the limit of {limit} bytes (RedisStoreOptions.MaximumValueBytes). Nothing was sent to Redis.");

    public static string CachePrefixInvalid(string cachePrefix, string storePrefix) =>
        Format($"Stockpile cache prefix '{cachePrefix}' (under the Redis store's KeyPrefix '{storePrefix}'): a prefix on Redis {Internal.RedisKeyPatterns.PrefixRule}.");

    public static string WriteRefused(string store, string? types, IReadOnlyList<string> keys, string reason) =>
        Format($"Stockpile store '{store}' could not write {(types is null ? "" : "the " + types + " under ")}{keys.Count} Redis key(s) ({string.Join(", ", keys.Take(3))}{(keys.Count > 3 ? ", …" : "")}): Redis answered an error, which is not an outage: {reason} The write was not skipped, and the keys are removed from Redis before the store reads it again.");

    public static string ClearRefused(string store, string what, string reason) =>
        Format($"Stockpile store '{store}' could not {what}: Redis answered an error, which is not an outage: {reason} The write was not skipped, and everything under the prefix is removed from Redis before the store reads it again.");

    public static string CacheWriteRefused(string cache, string operation, string? key, string reason) =>
        Format($"Stockpile cache '{cache}' failed a write ({operation}) of {(key is null ? "its keys" : "the key '" + key + "'")} in Redis: Redis answered an error, which is not an outage: {reason} The write was not skipped, and the key is removed from Redis before the cache reads it again.");

    public static string CacheIncrementLate(string cache, string key, int attempts) =>
        Format($"Stockpile cache '{cache}' could not increment the key '{key}': Redis refused the increment {attempts} times as sent before a set, removal or flush of the key that reached it first (a late increment is not applied). Nothing was added.");

    public static string Disposed => "The Redis store is disposed.";

    public const string ConnectionMissing =
        "Name the Redis server: set RedisStoreOptions.Configuration (a StackExchange.Redis configuration string or a redis:// URL), ConfigurationOptions or ConnectionMultiplexerFactory, or register an IConnectionMultiplexer in the container and call AddRedisStore() without arguments.";

    public const string ConnectionAmbiguous =
        "Set only one of RedisStoreOptions.Configuration, ConfigurationOptions and ConnectionMultiplexerFactory.";

    public const string FactoryReturnedNull = "RedisStoreOptions.ConnectionMultiplexerFactory returned null.";

    public const string NoMultiplexerInContainer =
        "AddRedisStore() without a server uses the IConnectionMultiplexer registered in the container, and there is none. Register one (services.AddSingleton<IConnectionMultiplexer>(…)) or name the server in RedisStoreOptions.";

    public const string CredentialsInEndPoint =
        "The Redis configuration string starts with credentials written as user:password@host, which StackExchange.Redis would read as a host name. Write redis://user:password@host:port (percent-encoding reserved characters), or host:port,user=…,password=….";

    public const string UrlMalformed =
        "The Redis URL is malformed. Write redis://[[user]:password@]host[:port][/database] (rediss:// for TLS), percent-encoding reserved characters in the user and password, with no query string.";

    public const string ServerUnreachableForClear =
        "A Redis primary is not connected, so a clear cannot reach every key; it is done in full when Redis is back.";

    public const string PasswordHoldsComma =
        "The Redis configuration string has a part with no '=' after password=…: StackExchange.Redis would split a password holding a comma there and read its tail as a host name. Quote the password (password=\"…\", with \"\" for a quote inside), or write redis://user:password@host:port with the password percent-encoded; list several endpoints before the options.";

    public const string PasswordQuoteUnclosed =
        "The Redis configuration string's quoted password is not closed, or is followed by more than a comma. Write password=\"…\", with \"\" for a quote inside.";

    public static string ConfigurationInvalid(string reason) => $"The Redis configuration string is invalid: {reason}";

    public static string KeyNotEncodable(string store) =>
        $"Stockpile store '{store}' cannot send a key holding a lone UTF-16 surrogate to Redis: its UTF-8 bytes would stand for another key.";

    public const string UnexpectedTimeReply = "Redis answered TIME with something other than two integers (seconds, then microseconds below a million).";

    public static string UnexpectedReply(string command, int keys) =>
        Format($"Redis answered {command} of {keys} keys with something other than an array of {keys} values.");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
