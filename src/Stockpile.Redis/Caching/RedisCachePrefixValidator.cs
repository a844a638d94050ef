using Microsoft.Extensions.Options;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// Checks at start-up, beside the <see cref="RedisStoreOptions"/> it validates with, that a Redis cache's
/// <see cref="StockpileCacheOptions.KeyPrefix"/> can be a prefix on Redis (<see cref="RedisKeyPatterns.IsValidPrefix"/>):
/// the cache is made on first use, too late to refuse its prefix with the other options.
/// </summary>
/// <param name="name">The cache's name; <see langword="null"/> for the default cache.</param>
/// <param name="configure">The cache's configuration, run here on a scratch copy of its options (it only sets values).</param>
internal sealed class RedisCachePrefixValidator(string? name, Action<StockpileCacheOptions>? configure) : IValidateOptions<RedisStoreOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RedisStoreOptions options)
    {
        var cache = name is null ? new StockpileCacheOptions() : new StockpileCacheOptions { KeyPrefix = name };
        configure?.Invoke(cache);
        if (string.IsNullOrEmpty(cache.KeyPrefix) || RedisKeyPatterns.IsValidPrefix(cache.KeyPrefix))
        {
            // An empty prefix is refused by the cache itself, for every tier.
            return ValidateOptionsResult.Success;
        }

        var which = name is null ? "the default cache" : $"the cache '{name}'";
        return ValidateOptionsResult.Fail($"StockpileCacheOptions.KeyPrefix of {which} on Redis {RedisKeyPatterns.PrefixRule}; it is '{cache.KeyPrefix}'.");
    }
}
