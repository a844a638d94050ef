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

    public static string Disposed => "The Redis store is disposed.";

    public const string EndPointMissing =
        "The Redis connection string has no endpoint. Start it with host[:port], e.g. \"localhost:6379,password=…\".";

    public const string EndPointMalformed = "The Redis endpoint is malformed. Write host, host:port or [IPv6]:port.";

    public const string UrlMalformed =
        "The Redis URL is malformed. Write redis://[[user]:password@]host[:port][/db] (rediss:// for TLS), percent-encoding reserved characters in the user and password.";

    public const string UserWithoutPassword = "An ACL user was given without a password; set both, or neither.";

    public const string ClientNameInvalid = "The client name must be non-empty and contain no whitespace.";

    public static string OptionRequired(string option) => $"The Redis option {option} is required.";

    public static string OptionNotPositive(string option) => $"The Redis option {option} must be positive.";

    public static string PortOutOfRange(int port) => Format($"The Redis port {port} is not between 1 and 65535.");

    public static string DatabaseNegative(int database) => Format($"The Redis database {database} must not be negative.");

    public static string UnknownKey(string key, IEnumerable<string> supported) =>
        $"Unknown key '{key}' in the Redis connection string. Supported keys: {string.Join(", ", supported)}.";

    public static string UnexpectedSegment(int position, bool afterSecret) =>
        Format($"Segment {position} of the Redis connection string is not a key=value setting (only one endpoint is supported).")
        + (afterSecret
            ? " It follows the password: if the password contains a comma, use a redis:// URL with the password percent-encoded."
            : string.Empty);

    public static string SettingMalformed(string key, string expected) =>
        $"The Redis setting '{key}' is malformed: expected {expected}.";

    public static string EnvironmentVariableMissing(string variable) =>
        $"The environment variable {variable} is not set. Set it to a Redis URL such as redis://localhost:6379/0.";

    public static string EnvironmentVariableInvalid(string variable, string reason) =>
        $"The environment variable {variable} does not hold a valid Redis URL or connection string. {reason}";

    public static string NotConnected(string endPoint, string command) =>
        $"No connection to Redis at {endPoint} is available for {command}; it is reconnecting in the background.";

    public static string ConnectionLost(string endPoint) =>
        $"The connection to Redis at {endPoint} was lost before the reply arrived.";

    public static string ConnectionClosedByServer(string endPoint) => $"Redis at {endPoint} closed the connection.";

    public static string ConnectionDisposed(string endPoint) => $"The connection to Redis at {endPoint} was disposed.";

    public static string ConnectFailed(string endPoint) => $"Could not connect to Redis at {endPoint}.";

    public static string ConnectTimedOut(string endPoint, TimeSpan timeout) =>
        Format($"Could not connect to Redis at {endPoint} within {timeout.TotalMilliseconds} ms (connectTimeout).");

    public static string HandshakeFailed(string endPoint, string step, string serverMessage) =>
        $"Redis at {endPoint} rejected {step} while connecting: {serverMessage}";

    public static string HeartbeatUnanswered(string endPoint, TimeSpan timeout) =>
        Format($"Redis at {endPoint} did not answer PING within {timeout.TotalMilliseconds} ms; closing the connection.");

    public static string ProtocolError(string endPoint, string detail) =>
        $"Protocol error on the connection to Redis at {endPoint}: {detail}";

    public static string CommandTimedOut(string command, TimeSpan timeout) =>
        Format($"Redis did not answer {command} within {timeout.TotalMilliseconds} ms (syncTimeout).");

    public static string ServerError(string? command, string serverMessage) =>
        command is null ? $"Redis returned an error: {serverMessage}" : $"Redis returned an error for {command}: {serverMessage}";

    public static string ReplyKindMismatch(string expected, string actual) =>
        $"The Redis reply is {actual}, not {expected}.";

    public static string ReplyIsNull(string expected) => $"The Redis reply is null, not {expected}.";

    public static string BatchDescription(int count, string first) =>
        Format($"a batch of {count} commands starting with {first}");

    public const string CommandEmpty = "The Redis command has no name (a default RedisCommand).";

    public const string TransactionNested = "MULTI inside MULTI: a batch may hold transactions one after another, not nested.";

    public const string TransactionUnclosed = "The batch opens MULTI without EXEC or DISCARD; a transaction must close within its batch.";

    public static string TransactionOutsideBatch(string command) =>
        $"{command} must be sent inside one batch as MULTI … EXEC (or DISCARD): on a shared connection other callers' commands would join the transaction.";

    public static string CommandRefused(string command) =>
        $"{command} is not allowed on the shared Redis connection: it would change the connection's state for every caller.";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
