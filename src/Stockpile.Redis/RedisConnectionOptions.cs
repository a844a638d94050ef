using System.Globalization;
using System.Net.Security;
using System.Text;
using Stockpile.Redis;

namespace Stockpile;

/// <summary>
/// Settings for the connection Stockpile opens to a Redis server: where it is, how to authenticate,
/// which database to use, and how long to wait.
/// </summary>
/// <remarks>
/// Build it in code, or with <see cref="Parse(string)"/> from a StackExchange.Redis-style configuration string
/// (<c>host:port,password=…,ssl=true</c>) or a <c>redis://</c> / <c>rediss://</c> URL, or with
/// <see cref="FromEnvironment(string)"/>. <see cref="ToString"/> never shows the password.
/// </remarks>
public sealed partial class RedisConnectionOptions
{
    /// <summary>The port Redis listens on unless told otherwise: 6379.</summary>
    public const int DefaultPort = 6379;

    /// <summary>The environment variable <see cref="FromEnvironment(string)"/> reads by default: <c>REDIS_URL</c>.</summary>
    public const string DefaultEnvironmentVariable = "REDIS_URL";

    private const string PasswordMask = "*****";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the host name or IP address of the server.</summary>
    /// <value>The default value is <c>localhost</c>.</value>
    public string Host { get; set; } = "localhost";

    /// <summary>Gets or sets the TCP port of the server.</summary>
    /// <value>The default value is <see cref="DefaultPort"/>.</value>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Gets or sets the ACL user name sent with <c>AUTH</c>. Requires <see cref="Password"/>.</summary>
    /// <value>The default value is <see langword="null"/>: authenticate as the default user, if at all.</value>
    public string? User { get; set; }

    /// <summary>Gets or sets the password sent with <c>AUTH</c>. It is never logged nor shown by <see cref="ToString"/>.</summary>
    /// <value>The default value is <see langword="null"/>: no <c>AUTH</c>.</value>
    public string? Password { get; set; }

    /// <summary>Gets or sets a value indicating whether the connection is encrypted with TLS.</summary>
    /// <value>The default value is <see langword="false"/>. A <c>rediss://</c> URL sets it.</value>
    public bool Ssl { get; set; }

    /// <summary>Gets or sets the host name expected in the server's certificate (and sent as SNI).</summary>
    /// <value>The default value is <see langword="null"/>: use <see cref="Host"/>.</value>
    public string? SslHost { get; set; }

    /// <summary>Gets or sets a callback that decides whether the server's TLS certificate is accepted.</summary>
    /// <value>The default value is <see langword="null"/>: the platform's standard validation.</value>
    /// <remarks>Use it to trust a private certificate authority or, in tests only, a self-signed certificate.</remarks>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Gets or sets the database selected with <c>SELECT</c> on every (re)connect.</summary>
    /// <value>The default value is 0.</value>
    public int DefaultDatabase { get; set; }

    /// <summary>Gets or sets the name given to the connection with <c>CLIENT SETNAME</c>.</summary>
    /// <value>The default value is <see langword="null"/>: no name. It must not contain spaces.</value>
    public string? ClientName { get; set; }

    /// <summary>Gets or sets how long one attempt to connect (TCP, TLS and handshake) may take.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = DefaultTimeout;

    /// <summary>Gets or sets how long a command (or a batch) may wait for its reply before it fails with a timeout.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan SyncTimeout { get; set; } = DefaultTimeout;

    /// <summary>Gets or sets how long a connection may stay silent before it is checked with a <c>PING</c>.</summary>
    /// <value>The default value is 60 seconds. <see cref="TimeSpan.Zero"/> turns the check off.</value>
    /// <remarks>A <c>PING</c> unanswered within <see cref="SyncTimeout"/> closes the connection and starts a reconnect.</remarks>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets a value indicating whether a failed first connection attempt throws.</summary>
    /// <value>
    /// The default value is <see langword="true"/>. When <see langword="false"/>, connecting returns at once and keeps
    /// retrying in the background; commands fail fast until the server answers.
    /// </value>
    public bool AbortOnConnectFail { get; set; } = true;

    /// <summary>Gets or sets the first delay before reconnecting after a drop; it doubles with each failed attempt.</summary>
    /// <value>The default value is 100 milliseconds.</value>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the longest delay between two reconnect attempts.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the endpoint as <c>host:port</c>, safe to log.</summary>
    internal string EndPoint => FormatEndPoint(Host, Port);

    /// <summary>Returns the settings as a configuration string, with the password masked.</summary>
    /// <returns>A string such as <c>localhost:6379,password=*****,ssl=true</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(EndPoint);
        Append(text, UserKey, User);
        Append(text, PasswordKey, Password is null ? null : PasswordMask);
        Append(text, SslKey, Ssl ? "true" : null);
        Append(text, SslHostKey, SslHost);
        Append(text, DefaultDatabaseKey, DefaultDatabase == 0 ? null : Format(DefaultDatabase));
        Append(text, NameKey, ClientName);
        Append(text, ConnectTimeoutKey, ConnectTimeout == DefaultTimeout ? null : Format((long)ConnectTimeout.TotalMilliseconds));
        Append(text, SyncTimeoutKey, SyncTimeout == DefaultTimeout ? null : Format((long)SyncTimeout.TotalMilliseconds));
        Append(text, KeepAliveKey, KeepAlive == TimeSpan.FromSeconds(60) ? null : Format((long)KeepAlive.TotalSeconds));
        Append(text, AbortConnectKey, AbortOnConnectFail ? null : "false");
        return text.ToString();

        static void Append(StringBuilder text, string key, string? value)
        {
            if (value is not null)
            {
                text.Append(',').Append(key).Append('=').Append(value);
            }
        }

        static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Checks that the settings can work; called once when a connection is created.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or inconsistent.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException(ExceptionMessages.OptionRequired(nameof(Host)), nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException(ExceptionMessages.PortOutOfRange(Port), nameof(Port));
        }

        if (DefaultDatabase < 0)
        {
            throw new ArgumentException(ExceptionMessages.DatabaseNegative(DefaultDatabase), nameof(DefaultDatabase));
        }

        if (User is not null && Password is null)
        {
            throw new ArgumentException(ExceptionMessages.UserWithoutPassword, nameof(Password));
        }

        if (ClientName is not null && (ClientName.Length == 0 || ClientName.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException(ExceptionMessages.ClientNameInvalid, nameof(ClientName));
        }

        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(SyncTimeout, nameof(SyncTimeout));
        RequirePositive(ReconnectBaseDelay, nameof(ReconnectBaseDelay));
        RequirePositive(ReconnectMaxDelay, nameof(ReconnectMaxDelay));
        if (KeepAlive < TimeSpan.Zero)
        {
            throw new ArgumentException(ExceptionMessages.OptionNotPositive(nameof(KeepAlive)), nameof(KeepAlive));
        }

        static void RequirePositive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException(ExceptionMessages.OptionNotPositive(name), name);
            }
        }
    }

    /// <summary>Returns a copy, so that a live connection does not see later changes.</summary>
    internal RedisConnectionOptions Clone() => (RedisConnectionOptions)MemberwiseClone();

    private static string FormatEndPoint(string host, int port)
    {
        var shownHost = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"{shownHost}:{port}");
    }
}
