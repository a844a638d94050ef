namespace Stockpile.Testing.Servers;

/// <summary>How <see cref="RedisServer.StartAsync"/> configures a private redis-server.</summary>
public sealed class RedisServerOptions
{
    /// <summary>Gets the password of the default user (<c>--requirepass</c>); <see langword="null"/> for none.</summary>
    public string? Password { get; init; }

    /// <summary>Gets an extra ACL user with every permission; requires <see cref="AclPassword"/>.</summary>
    public string? AclUser { get; init; }

    /// <summary>Gets the password of <see cref="AclUser"/>.</summary>
    public string? AclPassword { get; init; }

    /// <summary>
    /// Gets the ACL rules of <see cref="AclUser"/> after <c>on</c> and its password: the keys, channels and commands it
    /// may use (<c>~app:*</c>, <c>&amp;app:*</c>, <c>+@all</c>).
    /// </summary>
    /// <value>The default value allows every key, channel and command: <c>~* &amp;* +@all</c>.</value>
    public IReadOnlyList<string> AclRules { get; init; } = ["~*", "&*", "+@all"];

    /// <summary>Gets a value indicating whether the server listens with TLS only, on a fresh self-signed certificate.</summary>
    public bool Tls { get; init; }

    /// <summary>Gets extra <c>--name value</c> arguments for redis-server.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
