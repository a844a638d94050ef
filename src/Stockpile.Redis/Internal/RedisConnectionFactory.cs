using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>Where a link's multiplexer comes from, whether the link owns it, and the server(s) to name in logs.</summary>
/// <param name="EndPoint">The server(s) as <c>host:port</c>, comma-separated; never a password.</param>
/// <param name="OwnsMultiplexer">Whether the link disposes the multiplexer with itself.</param>
/// <param name="Connect">Gets or makes the multiplexer.</param>
internal sealed record RedisConnectionFactory(string EndPoint, bool OwnsMultiplexer, Func<Task<IConnectionMultiplexer>> Connect)
{
    /// <summary>Gets or makes the multiplexer.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => Connect();

    /// <summary>A multiplexer someone else made and disposes.</summary>
    public static RedisConnectionFactory Given(IConnectionMultiplexer multiplexer) =>
        new(RedisConfiguration.Describe(multiplexer), OwnsMultiplexer: false, () => Task.FromResult(multiplexer));

    /// <summary>The multiplexer the store's options name, made (and so owned) by the store.</summary>
    /// <exception cref="ArgumentException">The options name no server, or more than one way to reach it, or a malformed one.</exception>
    public static RedisConnectionFactory FromOptions(RedisStoreOptions options)
    {
        if (options.ConnectionMultiplexerFactory is { } factory)
        {
            if (options.Configuration is not null || options.ConfigurationOptions is not null)
            {
                throw new ArgumentException(ExceptionMessages.ConnectionAmbiguous);
            }

            return new("(from ConnectionMultiplexerFactory)", OwnsMultiplexer: true, async () =>
            {
                var made = await factory().ConfigureAwait(false);
                return made ?? throw new InvalidOperationException(ExceptionMessages.FactoryReturnedNull);
            });
        }

        var configuration = RedisConfiguration.Resolve(options);
        configuration.AbortOnConnectFail = false;
        RedisConfiguration.KeepUnderPrefix(configuration, options.KeyPrefix);
        return new(RedisConfiguration.Describe(configuration), OwnsMultiplexer: true, async () =>
            await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false));
    }
}
