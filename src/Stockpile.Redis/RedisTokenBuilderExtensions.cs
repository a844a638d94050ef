using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stockpile.Internal.Tokens;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tokens;

namespace Stockpile;

/// <summary>Keeps invalidation tokens on Redis, so every instance builds the same keys and sees every instance's commits.</summary>
public static class RedisTokenBuilderExtensions
{
    /// <summary>
    /// Registers the <see cref="IStockpileKeyBuilder"/> with its tokens on Redis, over the multiplexer the Redis store
    /// uses (<c>AddRedisStore</c> names it; without it, the <see cref="StackExchange.Redis.IConnectionMultiplexer"/> in
    /// the container), under the store's <see cref="KeyValueObjectStoreOptions.KeyPrefix"/> then <c>#tokens:</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the tokens.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Losing Redis's data (a flush, a restart without persistence) changes every key built afterwards: missing tokens
    /// are made with new random values. While Redis cannot be reached, keys are built never-used (a miss), and commits'
    /// token changes are retried before the next key is built.
    /// </remarks>
    public static IStockpileBuilder AddRedisInvalidationTokens(this IStockpileBuilder builder, Action<StockpileKeyBuilderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RedisStockpileBuilderExtensions.AddRedisLink(builder.Services, null);
        builder.Services.RemoveAll<TokenStore>();
        builder.Services.AddSingleton<TokenStore>(static sp => new RedisTokenStore(
            sp.GetRequiredService<RedisLink>(),
            RedisStockpileBuilderExtensions.Options(sp).KeyPrefix,
            sp.GetRequiredService<IOptions<StockpileKeyBuilderOptions>>().Value.TokenLifetime));
        return builder.AddInvalidationTokens(configure);
    }
}
