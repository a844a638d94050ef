using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>Checks <see cref="RedisStoreOptions"/> once, at start-up (and when a store is created without DI).</summary>
/// <param name="services">Tells whether the container holds an <see cref="IConnectionMultiplexer"/> (used when the options name no server).</param>
internal sealed class RedisStoreOptionsValidator(IServiceProviderIsService? services = null) : IValidateOptions<RedisStoreOptions>
{
    private static readonly TimeSpan s_minimumDuration = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_maximumDuration = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, RedisStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options, services?.IsService(typeof(IConnectionMultiplexer)) ?? false);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Checks options given to a store made without DI (<see cref="RedisStore.ConnectAsync"/>, <see cref="RedisStore.Create"/>).</summary>
    /// <param name="options">The options.</param>
    /// <param name="multiplexerInContainer">Whether a multiplexer is at hand when the options name no server.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every reason.</exception>
    public static void ThrowIfInvalid(RedisStoreOptions options, bool multiplexerInContainer)
    {
        var failures = Check(options, multiplexerInContainer);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }
    }

    /// <param name="options">The options.</param>
    /// <param name="multiplexerInContainer">Whether a multiplexer is at hand when the options name no server.</param>
    public static List<string> Check(RedisStoreOptions options, bool multiplexerInContainer)
    {
        var failures = new List<string>();
        if (options.NamesServer || !multiplexerInContainer)
        {
            try
            {
                RedisConnectionFactory.FromOptions(options);
            }
            catch (ArgumentException ex)
            {
                failures.Add("Stockpile Redis connection: " + ex.Message);
            }
        }

        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("RedisStoreOptions.Name must not be empty.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add("RedisStoreOptions.KeyPrefix must not be empty: it keeps applications apart, and a clear removes only the keys under it.");
        }
        else if (!RedisKeyPatterns.IsValidPrefix(options.KeyPrefix))
        {
            failures.Add($"RedisStoreOptions.KeyPrefix {RedisKeyPatterns.PrefixRule}; it is '{options.KeyPrefix}'.");
        }

        if (!Enum.IsDefined(options.KeyLayout))
        {
            failures.Add($"RedisStoreOptions.KeyLayout must be {nameof(RedisKeyLayout.Compact)} or {nameof(RedisKeyLayout.FullTypeNames)}; it is {(int)options.KeyLayout}.");
        }

        if (options.MaximumValueBytes < 1)
        {
            failures.Add($"RedisStoreOptions.MaximumValueBytes must be at least 1; it is {options.MaximumValueBytes}.");
        }

        if (options.DefaultLifetime < TimeSpan.Zero && options.DefaultLifetime != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"RedisStoreOptions.DefaultLifetime must be positive, zero or infinite (never expires); it is {options.DefaultLifetime}.");
        }

        if (options.CircuitBreaker.FailureThreshold < 2)
        {
            failures.Add($"RedisStoreOptions.CircuitBreaker.FailureThreshold must be at least 2 (the circuit opens when that many calls within the sampling duration all failed; Polly's minimum throughput is 2); it is {options.CircuitBreaker.FailureThreshold}.");
        }

        CheckDuration(failures, nameof(RedisCircuitBreakerOptions.SamplingDuration), options.CircuitBreaker.SamplingDuration);
        CheckDuration(failures, nameof(RedisCircuitBreakerOptions.BreakDuration), options.CircuitBreaker.BreakDuration);

        if (options.MissedKeyCapacity < 1)
        {
            failures.Add($"RedisStoreOptions.MissedKeyCapacity must be at least 1; it is {options.MissedKeyCapacity}.");
        }

        if (options.BackplaneChannel is { } channel && string.IsNullOrWhiteSpace(channel))
        {
            failures.Add("RedisStoreOptions.BackplaneChannel must not be blank (or leave it null for the default).");
        }

        return failures;
    }

    /// <summary>Polly's circuit breaker takes durations from half a second to a day.</summary>
    private static void CheckDuration(List<string> failures, string name, TimeSpan value)
    {
        if (value < s_minimumDuration || value > s_maximumDuration)
        {
            failures.Add($"RedisStoreOptions.CircuitBreaker.{name} must be between {s_minimumDuration} and {s_maximumDuration} (Polly's circuit breaker limits); it is {value}.");
        }
    }
}
