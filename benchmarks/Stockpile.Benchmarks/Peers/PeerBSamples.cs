using System.Globalization;

namespace Stockpile.Benchmarks.Peers;

/// <summary>Samples of one side of a peer run (milliseconds), summarized as median, P99, mean and maximum.</summary>
internal sealed class PeerBSamples(string name)
{
    private readonly List<double> _values = [];

    public string Name { get; } = name;

    public int Count => _values.Count;

    public void Add(double milliseconds) => _values.Add(milliseconds);

    public double Median => Percentile(50);

    public double P99 => Percentile(99);

    public double Percentile(int percentile)
    {
        _values.Sort();
        return RedisPairedRun.Percentile(_values, percentile);
    }

    public override string ToString()
    {
        _values.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"{Name}: median {Median:N3} ms, P99 {P99:N3} ms, mean {_values.Average():N3} ms, max {_values[^1]:N3} ms ({Count} samples)");
    }

    /// <summary>This side's median and P99 over a peer's, as ratios.</summary>
    public string RatioTo(PeerBSamples peer) =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} / {peer.Name}: median {Median / peer.Median:N2}x, P99 {P99 / peer.P99:N2}x");
}
