namespace Stockpile;

/// <summary>Options of the invalidation outbox of one context type (<c>AddOutbox&lt;TContext&gt;()</c>).</summary>
public sealed class StockpileOutboxOptions
{
    /// <summary>Gets or sets how often each instance drains the rows that commits left behind.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan DrainInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how old a row must be before a periodic pass drains it: a younger row is most likely being applied
    /// by the instance that committed it. The pass at start-up drains every row.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MinimumAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long an instance holds a row it drains; another instance takes it over after that.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many rows a pass reads at a time.</summary>
    /// <value>The default value is 100.</value>
    public int BatchSize { get; set; } = 100;

    /// <summary>Gets or sets the number of rows from which the health check reports degraded.</summary>
    /// <value>The default value is 100.</value>
    public long DegradedDepth { get; set; } = 100;

    /// <summary>Gets or sets the number of rows from which the health check reports its failure status (unhealthy).</summary>
    /// <value>The default value is 1,000.</value>
    public long UnhealthyDepth { get; set; } = 1_000;

    /// <summary>Gets or sets the age of the oldest row from which the health check reports degraded.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan DegradedAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the age of the oldest row from which the health check reports its failure status (unhealthy).</summary>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan UnhealthyAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets the clock of the drain and the health check.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns why the options cannot work, or <see langword="null"/>.</summary>
    internal string? Validate() =>
        DrainInterval <= TimeSpan.Zero ? "DrainInterval must be positive."
        : MinimumAge < TimeSpan.Zero ? "MinimumAge must not be negative."
        : LeaseDuration <= TimeSpan.Zero ? "LeaseDuration must be positive."
        : BatchSize <= 0 ? "BatchSize must be positive."
        : DegradedDepth <= 0 || UnhealthyDepth < DegradedDepth ? "DegradedDepth must be positive and UnhealthyDepth at least DegradedDepth."
        : DegradedAge <= TimeSpan.Zero || UnhealthyAge < DegradedAge ? "DegradedAge must be positive and UnhealthyAge at least DegradedAge."
        : null;
}
