namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// A Redis command ready to send: its name and its binary-safe arguments.
/// </summary>
/// <remarks>
/// The name is what timeouts and errors mention; the arguments never appear in a message or a log,
/// since they may hold cached values. Subcommands (<c>CLIENT SETNAME</c>) go in the arguments.
/// </remarks>
internal readonly struct RedisCommand
{
    private readonly RedisArgument[]? _arguments;

    /// <summary>Initializes a new instance of the <see cref="RedisCommand"/> struct.</summary>
    /// <param name="name">The command name, such as <c>GET</c>; ASCII without spaces.</param>
    /// <param name="arguments">The arguments. The array is kept, not copied.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains whitespace.</exception>
    public RedisCommand(string name, params RedisArgument[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(arguments);
        Name = name;
        _arguments = arguments;
    }

    /// <summary>Gets the command name.</summary>
    public string Name { get; }

    /// <summary>Gets the arguments that follow the name.</summary>
    public ReadOnlySpan<RedisArgument> Arguments => _arguments;

    /// <summary>Returns the command name only: arguments are never shown.</summary>
    public override string ToString() => Name ?? string.Empty;
}
