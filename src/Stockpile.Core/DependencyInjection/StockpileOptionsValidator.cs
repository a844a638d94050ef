using Microsoft.Extensions.Options;

namespace Stockpile;

/// <summary>Checks <see cref="StockpileOptions"/> once, at start-up.</summary>
internal sealed class StockpileOptionsValidator : IValidateOptions<StockpileOptions>
{
    public ValidateOptionsResult Validate(string? name, StockpileOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("Stockpile:Name must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Memory.Name))
        {
            failures.Add("Stockpile:Memory:Name must not be empty.");
        }

        if (options.Memory.SizeLimit is < 1)
        {
            failures.Add($"Stockpile:Memory:SizeLimit must be at least 1 (or absent for no limit); it is {options.Memory.SizeLimit}.");
        }

        if (options.Memory.DefaultLifetime < TimeSpan.Zero && options.Memory.DefaultLifetime != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"Stockpile:Memory:DefaultLifetime must be positive, zero or infinite (never expires); it is {options.Memory.DefaultLifetime}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
