using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stockpile.Internal.Tokens;

namespace Stockpile;

/// <summary>Adds invalidation tokens and the <see cref="IStockpileKeyBuilder"/> that builds keys from them.</summary>
public static class StockpileTokenBuilderExtensions
{
    /// <summary>
    /// Registers the <see cref="IStockpileKeyBuilder"/>, with its tokens in the process memory (unless a shared tier,
    /// such as <c>AddRedisInvalidationTokens</c>, registered its own). Contexts with <c>AddStockpileInterceptor(sp)</c>
    /// change the tokens of what they commit.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the tokens.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddInvalidationTokens(this IStockpileBuilder builder, Action<StockpileKeyBuilderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<StockpileKeyBuilderOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o => o.TokenLifetime > TimeSpan.Zero || o.TokenLifetime == Timeout.InfiniteTimeSpan, "StockpileKeyBuilderOptions.TokenLifetime must be positive or infinite.").ValidateOnStart();
        builder.Services.TryAddSingleton<TokenStore>(static sp =>
        {
            var o = sp.GetRequiredService<IOptions<StockpileKeyBuilderOptions>>().Value;
            return new MemoryTokenStore(o.TimeProvider ?? sp.GetService<TimeProvider>() ?? TimeProvider.System, o.TokenLifetime);
        });
        builder.Services.TryAddSingleton<IStockpileKeyBuilder>(static sp =>
            new StockpileKeyBuilder(sp.GetRequiredService<TokenStore>(), sp.GetService<ILoggerFactory>()?.CreateLogger<IStockpileKeyBuilder>()));
        return builder;
    }
}
