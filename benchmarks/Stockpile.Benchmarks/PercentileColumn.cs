using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Stockpile.Benchmarks;

/// <summary>
/// A percentile of the measured iterations in microseconds, for the percentiles BenchmarkDotNet has no column of (P99).
/// With one invocation per iteration (<c>--invocationCount 1 --unrollFactor 1</c>) an iteration is one call, so the
/// column is that percentile of single calls.
/// </summary>
/// <param name="percentile">The percentile, 0 to 100.</param>
public sealed class PercentileColumn(int percentile) : IColumn
{
    public string Id => "Percentile" + percentile.ToString(CultureInfo.InvariantCulture);

    public string ColumnName => "P" + percentile.ToString(CultureInfo.InvariantCulture) + " [us]";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => percentile;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Percentile {percentile} of the iterations, in microseconds";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is { } statistics
            ? (statistics.Percentiles.Percentile(percentile) / 1_000).ToString("N1", CultureInfo.InvariantCulture)
            : "-";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
