using System.Globalization;
using Stockpile.Redis;

namespace Stockpile;

/// <content>Parsing configuration strings, URLs and the environment.</content>
public sealed partial class RedisConnectionOptions
{
    private const string UserKey = "user";
    private const string PasswordKey = "password";
    private const string SslKey = "ssl";
    private const string SslHostKey = "sslHost";
    private const string DefaultDatabaseKey = "defaultDatabase";
    private const string NameKey = "name";
    private const string ConnectTimeoutKey = "connectTimeout";
    private const string SyncTimeoutKey = "syncTimeout";
    private const string KeepAliveKey = "keepAlive";
    private const string AbortConnectKey = "abortConnect";

    private static readonly string[] SupportedKeys =
    [
        UserKey, PasswordKey, SslKey, SslHostKey, DefaultDatabaseKey, NameKey,
        ConnectTimeoutKey, SyncTimeoutKey, KeepAliveKey, AbortConnectKey,
    ];

    /// <summary>
    /// Parses a StackExchange.Redis-style configuration string or a <c>redis://</c> / <c>rediss://</c> URL.
    /// </summary>
    /// <param name="value">
    /// Either <c>host[:port][,key=value…]</c> with the keys <c>user</c>, <c>password</c>, <c>ssl</c>, <c>sslHost</c>,
    /// <c>defaultDatabase</c>, <c>name</c>, <c>connectTimeout</c> (ms), <c>syncTimeout</c> (ms), <c>keepAlive</c> (s)
    /// and <c>abortConnect</c>; or <c>redis[s]://[[user]:password@]host[:port][/db][?key=value&amp;…]</c>, where the user
    /// and password are percent-decoded and the query takes the same keys.
    /// </param>
    /// <returns>The options; they are validated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The value is empty, holds an unknown key, or a setting is malformed. The message never contains the password.
    /// </exception>
    public static RedisConnectionOptions Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        var options = new RedisConnectionOptions();
        if (trimmed.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            options.ApplyUrl(trimmed);
        }
        else
        {
            options.ApplyConfigurationString(trimmed);
        }

        options.Validate();
        return options;
    }

    /// <summary>Reads the options from an environment variable holding a URL or a configuration string.</summary>
    /// <param name="variable">The variable to read. The default is <see cref="DefaultEnvironmentVariable"/>.</param>
    /// <returns>The parsed options.</returns>
    /// <exception cref="InvalidOperationException">The variable is not set, or its value cannot be parsed.</exception>
    public static RedisConnectionOptions FromEnvironment(string variable = DefaultEnvironmentVariable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(ExceptionMessages.EnvironmentVariableMissing(variable));
        }

        try
        {
            return Parse(value);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(ExceptionMessages.EnvironmentVariableInvalid(variable, ex.Message), ex);
        }
    }

    private void ApplyConfigurationString(string value)
    {
        var segments = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sawEndPoint = false;
        var afterSecret = false;
        for (var index = 0; index < segments.Length; index++)
        {
            var segment = segments[index];
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                // A second bare segment is either another endpoint or the tail of a password holding a comma;
                // it is never echoed, since it may be a secret.
                if (sawEndPoint)
                {
                    throw new ArgumentException(ExceptionMessages.UnexpectedSegment(index + 1, afterSecret), nameof(value));
                }

                ApplyEndPoint(segment);
                sawEndPoint = true;
                continue;
            }

            var key = segment[..equals].Trim();
            if (!IsSupportedKey(key) && afterSecret)
            {
                throw new ArgumentException(ExceptionMessages.UnexpectedSegment(index + 1, afterSecret: true), nameof(value));
            }

            ApplySetting(key, segment[(equals + 1)..].Trim());
            afterSecret = key.Equals(PasswordKey, StringComparison.OrdinalIgnoreCase);
        }

        if (!sawEndPoint)
        {
            throw new ArgumentException(ExceptionMessages.EndPointMissing, nameof(value));
        }
    }

    private void ApplyEndPoint(string segment)
    {
        var host = segment;
        string? port = null;
        if (segment.StartsWith('['))
        {
            var close = segment.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException(ExceptionMessages.EndPointMalformed, nameof(segment));
            }

            host = segment[1..close];
            var rest = segment[(close + 1)..];
            port = rest.StartsWith(':') ? rest[1..] : rest.Length == 0 ? null : throw new ArgumentException(ExceptionMessages.EndPointMalformed, nameof(segment));
        }
        else if (segment.Count(c => c == ':') == 1)
        {
            var colon = segment.IndexOf(':', StringComparison.Ordinal);
            host = segment[..colon];
            port = segment[(colon + 1)..];
        }

        Host = host.Trim();
        if (port is not null)
        {
            Port = ParseInt32(port, "port", 1, 65535);
        }
    }

    private void ApplyUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException(ExceptionMessages.UrlMalformed, nameof(value));
        }

        Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        Host = uri.Host.StartsWith('[') ? uri.Host[1..^1] : uri.Host;
        Port = uri.Port > 0 ? uri.Port : DefaultPort;
        ApplyUserInfo(uri.UserInfo);

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            DefaultDatabase = ParseInt32(path, "database", 0, int.MaxValue);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            ApplySetting(key, equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]));
        }
    }

    private void ApplyUserInfo(string userInfo)
    {
        if (userInfo.Length == 0)
        {
            return;
        }

        // As redis-cli reads it: "user:password", ":password", or a lone "password".
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? string.Empty : Uri.UnescapeDataString(userInfo[..colon]);
        var password = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[(colon + 1)..]);
        User = user.Length == 0 ? null : user;
        Password = password.Length == 0 ? null : password;
    }

    private void ApplySetting(string key, string value)
    {
        switch (key.ToUpperInvariant())
        {
            case "USER":
                User = value.Length == 0 ? null : value;
                break;
            case "PASSWORD":
                Password = value.Length == 0 ? null : value;
                break;
            case "SSL":
                Ssl = ParseBoolean(value, SslKey);
                break;
            case "SSLHOST":
                SslHost = value.Length == 0 ? null : value;
                break;
            case "DEFAULTDATABASE":
                DefaultDatabase = ParseInt32(value, DefaultDatabaseKey, 0, int.MaxValue);
                break;
            case "NAME":
                ClientName = value.Length == 0 ? null : value;
                break;
            case "CONNECTTIMEOUT":
                ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt32(value, ConnectTimeoutKey, 1, int.MaxValue));
                break;
            case "SYNCTIMEOUT":
                SyncTimeout = TimeSpan.FromMilliseconds(ParseInt32(value, SyncTimeoutKey, 1, int.MaxValue));
                break;
            case "KEEPALIVE":
                KeepAlive = TimeSpan.FromSeconds(ParseInt32(value, KeepAliveKey, 0, int.MaxValue));
                break;
            case "ABORTCONNECT":
                AbortOnConnectFail = ParseBoolean(value, AbortConnectKey);
                break;
            default:
                throw new ArgumentException(ExceptionMessages.UnknownKey(key, SupportedKeys), nameof(key));
        }
    }

    private static bool IsSupportedKey(string key) =>
        SupportedKeys.Contains(key, StringComparer.OrdinalIgnoreCase);

    private static bool ParseBoolean(string value, string key) =>
        bool.TryParse(value, out var result)
            ? result
            : throw new ArgumentException(ExceptionMessages.SettingMalformed(key, "true or false"), nameof(value));

    private static int ParseInt32(string value, string what, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max
            ? result
            : throw new ArgumentException(
                ExceptionMessages.SettingMalformed(what, string.Create(CultureInfo.InvariantCulture, $"a whole number from {min} to {max}")),
                nameof(value));
}
