using System.Globalization;
using System.Net;
using System.Text;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// Turns what the options name (a StackExchange.Redis configuration string, a <c>redis://</c> or <c>rediss://</c>
/// URL, or <see cref="ConfigurationOptions"/>) into <see cref="ConfigurationOptions"/>. No message it builds holds a
/// password, whatever form the text takes.
/// </summary>
internal static class RedisConfiguration
{
    private const int DefaultPort = 6379;

    /// <summary>Gets the configuration the options name, as a copy the caller may change.</summary>
    /// <exception cref="ArgumentException">None, or more than one, is set; or the text is malformed.</exception>
    public static ConfigurationOptions Resolve(RedisStoreOptions options) =>
        (options.ConfigurationOptions, options.Configuration) switch
        {
            ({ } given, null) => given.Clone(),
            (null, { } text) => Parse(text),
            (null, null) => throw new ArgumentException(ExceptionMessages.ConnectionMissing),
            _ => throw new ArgumentException(ExceptionMessages.ConnectionAmbiguous),
        };

    /// <summary>Parses a configuration string (every key <see cref="ConfigurationOptions.Parse(string)"/> accepts) or a <c>redis://</c>/<c>rediss://</c> URL.</summary>
    /// <exception cref="ArgumentException">The text is malformed; the message never echoes a password.</exception>
    public static ConfigurationOptions Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUrl(trimmed);
        }

        // "user:secret@host:6379" without a scheme would reach the package as an endpoint, and be echoed in its errors.
        var firstSegment = trimmed.Split(',', 2)[0];
        if (firstSegment.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException(ExceptionMessages.CredentialsInEndPoint);
        }

        var rest = TakeQuotedPassword(trimmed, out var password);
        try
        {
            var options = ConfigurationOptions.Parse(rest);
            if (password is not null)
            {
                options.Password = password;
            }

            return options;
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ExceptionMessages.ConfigurationInvalid(Scrub(ex.Message, rest)));
        }
    }

    /// <summary>
    /// Takes a quoted password (<c>password="a,b"</c>, <c>""</c> for a quote inside) out of a configuration string,
    /// which StackExchange.Redis would split at its commas; returns the rest of the string.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A quote is not closed, or an unquoted <c>password=</c> is followed by a part with no <c>=</c>: StackExchange.Redis
    /// would read the password's tail as a host name (and show it in its errors). The message never echoes the text.
    /// </exception>
    private static string TakeQuotedPassword(string text, out string? password)
    {
        password = null;
        var kept = new StringBuilder(text.Length);
        var unquotedPassword = false;
        for (var start = 0; start <= text.Length;)
        {
            var end = text.IndexOf(',', start);
            end = end < 0 ? text.Length : end;
            var segment = text.AsSpan(start, end - start);
            var equals = segment.IndexOf('=');
            var isPassword = equals > 0 && segment[..equals].Trim().Equals("password", StringComparison.OrdinalIgnoreCase);
            if (isPassword && segment[(equals + 1)..].TrimStart().StartsWith('"'))
            {
                (password, start) = ReadQuoted(text, text.IndexOf('"', start + equals + 1) + 1);
                continue;
            }

            if (equals < 0 && unquotedPassword && !segment.IsWhiteSpace())
            {
                throw new ArgumentException(ExceptionMessages.PasswordHoldsComma);
            }

            unquotedPassword |= isPassword;
            kept.Append(kept.Length > 0 ? "," : string.Empty).Append(segment);
            start = end + 1;
        }

        return kept.ToString();
    }

    /// <summary>Reads a quoted value from just after its opening quote; returns it and where the next part starts.</summary>
    private static (string Value, int Next) ReadQuoted(string text, int index)
    {
        var value = new StringBuilder();
        for (; index < text.Length; index++)
        {
            if (text[index] != '"')
            {
                value.Append(text[index]);
            }
            else if (index + 1 < text.Length && text[index + 1] == '"')
            {
                value.Append('"');
                index++;
            }
            else
            {
                var after = index + 1;
                while (after < text.Length && char.IsWhiteSpace(text[after]))
                {
                    after++;
                }

                if (after < text.Length && text[after] != ',')
                {
                    break;
                }

                return (value.ToString(), after + 1);
            }
        }

        throw new ArgumentException(ExceptionMessages.PasswordQuoteUnclosed);
    }

    /// <summary>Translates <c>redis[s]://[[user]:password@]host[:port][/database]</c> to configuration options.</summary>
    /// <exception cref="ArgumentException">The URL is malformed; the message never echoes it.</exception>
    public static ConfigurationOptions FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new ArgumentException(ExceptionMessages.UrlMalformed);
        }

        var configuration = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        configuration.EndPoints.Add(IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port));
        if (configuration.Ssl)
        {
            configuration.SslHost = host;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host: the only part is the password (the default user), as redis-cli reads it.
                password = user;
                user = string.Empty;
            }

            configuration.User = user.Length == 0 ? null : user;
            configuration.Password = password;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw new ArgumentException(ExceptionMessages.UrlMalformed);
            }

            configuration.DefaultDatabase = database;
        }

        return configuration;
    }

    /// <summary>
    /// Moves the key and the channel StackExchange.Redis itself uses, when left at its defaults, under the store's
    /// prefix: it reads the tie-breaker key (<c>__Booksleeve_TieBreak</c>) on every connect and subscribes to the
    /// configuration channel (<c>__Booksleeve_MasterChanged</c>), which an ACL user restricted to the application's
    /// keys and channels (<c>~prefix* &amp;prefix*</c>) is refused. Instances of one application share the prefix, so
    /// they still share both. A value the caller set is kept.
    /// </summary>
    public static void KeepUnderPrefix(ConfigurationOptions configuration, string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return;
        }

        var defaults = new ConfigurationOptions();
        if (configuration.TieBreaker == defaults.TieBreaker)
        {
            configuration.TieBreaker = prefix + defaults.TieBreaker;
        }

        if (configuration.ConfigurationChannel == defaults.ConfigurationChannel)
        {
            configuration.ConfigurationChannel = prefix + defaults.ConfigurationChannel;
        }
    }

    /// <summary>Names the servers of a configuration for logs and metrics: <c>host:port</c>, comma-separated.</summary>
    public static string Describe(ConfigurationOptions configuration) =>
        configuration.EndPoints.Count == 0 ? "(no endpoint)" : string.Join(",", configuration.EndPoints.Select(Describe));

    /// <summary>Names the servers of a multiplexer for logs and metrics.</summary>
    public static string Describe(IConnectionMultiplexer multiplexer)
    {
        var endPoints = multiplexer.GetEndPoints(configuredOnly: true);
        return endPoints.Length == 0 ? "(no endpoint)" : string.Join(",", endPoints.Select(Describe));
    }

    private static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        IPEndPoint ip => ip.ToString(),
        _ => endPoint.ToString() ?? "(unknown endpoint)",
    };

    /// <summary>Removes from a message every value of a setting that may be secret (<c>password=</c>, and a URL's user info).</summary>
    private static string Scrub(string message, string configuration)
    {
        foreach (var segment in configuration.Split(','))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && segment[..equals].Trim().Equals("password", StringComparison.OrdinalIgnoreCase))
            {
                var secret = segment[(equals + 1)..];
                if (secret.Length > 0)
                {
                    message = message.Replace(secret, "***", StringComparison.Ordinal);
                }
            }
        }

        return message;
    }
}
