using System.Globalization;
using System.Text;

namespace Stockpile.Redis.Tests.Torture;

/// <content>The end of a run: once quiet, every tier of every instance against the database; the count report.</content>
internal sealed partial class TortureWorkload
{
    /// <summary>The longest the instances may take to settle once the writes stopped (backplane messages in flight, a reconnect's clear).</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Compares the database with the writes that returned (none lost: it holds the last one, or one that failed after
    /// it), then, once every instance has settled (bounded wait), every tier of each: the chain by primary and alternate
    /// key, each cached query and each value under a token key equal the database, memory and Redis hold the database's
    /// state or nothing.
    /// </summary>
    /// <remarks>
    /// Settled means every instance's circuit closed and every tier of every instance agreeing with the database, all at
    /// once, by reads alone. One instance alone is not enough: a write another instance skipped while Redis was away
    /// (a commit's tag removal, an eviction) leaves the old state in Redis for every instance until that instance's
    /// clean-up removes it, which runs once it reaches Redis again (docs/consistency.md, "Cache on Redis: fail-safe",
    /// the remaining window). Comparing the first instance as soon as its own chain agreed read a cached query stamped
    /// before the other instance's skipped removal (c25 where the database held c26, after a cluster node's restart).
    /// What differed at the first look is reported.
    /// </remarks>
    public async Task<string> VerifyAsync()
    {
        var names = await _database.NamesAsync();
        foreach (var id in _ids)
        {
            // Newer than the last returned write only after a write that failed (and failed the run).
            if (TortureNames.VersionOf(names[id]) < _ledger.Floor(id))
            {
                Lost.Enqueue($"row {id}: the database holds {names[id]}, the last returned write was version {_ledger.Floor(id)}");
            }
        }

        List<string>? first = null;
        var took = await TortureWaits.TryUntilAsync(async () =>
        {
            var differences = await DifferencesAsync(names, settling: true);
            first ??= differences;
            return differences.Count == 0;
        }, SettleBound);
        foreach (var difference in await DifferencesAsync(names, settling: false))
        {
            Stale.Enqueue("at the end, " + difference);
        }

        var settled = took is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms") : "never";
        var look = first is { Count: > 0 } ? $" ({first.Count} differed at the first look: {string.Join("; ", first.Take(3))})" : string.Empty;
        return $"instances settled after {settled}{look}";
    }

    /// <summary>Prints what was tried and found (always, so that a passing run reports its counts too), then asserts none stale, lost or failed.</summary>
    public void AssertClean(string name, string settled)
    {
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"torture {name} (seed {Seed}): {Done} operations tried [");
        report.AppendJoin(", ", _operations.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
        report.Append(CultureInfo.InvariantCulture, $"], {Interlocked.Read(ref _checked)} reads checked, {Stale.Count} stale, {Lost.Count} lost, {Failures.Count} caller exceptions; {settled}");
        TestContext.Progress.WriteLine(report.ToString());
        foreach (var line in Stale.Take(20).Concat(Lost.Take(20)).Concat(FailureSummary()))
        {
            TestContext.Progress.WriteLine("  " + line);
        }

        foreach (var failure in Failures.Take(3))
        {
            TestContext.Progress.WriteLine("  " + failure);
        }

        Assert.Multiple(() =>
        {
            Assert.That(Failures, Is.Empty, "no caller saw an exception");
            Assert.That(Stale, Is.Empty, "no tier served a state older than a returned write, nor a rolled-back one");
            Assert.That(Lost, Is.Empty, "every returned write is in the database");
            Assert.That(Interlocked.Read(ref _checked), Is.GreaterThan(0), "reads were checked");
        });
    }

    /// <summary>Groups the caller exceptions by type, message and the workload operation that saw them.</summary>
    private IEnumerable<string> FailureSummary() =>
        Failures.GroupBy(static e =>
        {
            var message = e.Message.Split('\n')[0];
            var operation = e.StackTrace?.Split('\n').Select(static l => l.Trim()).LastOrDefault(static l => l.StartsWith("at Stockpile.Redis.Tests.Torture.TortureWorkload.", StringComparison.Ordinal) && !l.Contains(".WorkAsync", StringComparison.Ordinal));
            return $"{e.GetType().Name}: {message[..Math.Min(70, message.Length)]} in {operation?.Split('(')[0] ?? "?"}";
        }).Select(static g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} x {g.Key}"));

    /// <summary>
    /// Reads every tier of every instance and returns what differs from the database (a circuit not yet closed, too,
    /// while <paramref name="settling"/>: its Redis tier cannot be read). The final pass counts its reads as checked.
    /// </summary>
    private async Task<List<string>> DifferencesAsync(Dictionary<int, string> names, bool settling)
    {
        var differences = new List<string>();
        for (var instance = 0; instance < _instances.Count; instance++)
        {
            var app = _instances[instance];
            if (settling && app.Redis.CircuitState != RedisCircuitState.Closed)
            {
                differences.Add($"instance {instance}'s circuit {app.Redis.CircuitState}");
                continue;
            }

            foreach (var id in _ids)
            {
                Compare(differences, settling, "chain by id", instance, id, (await app.Chain.GetAsync<Row, int>(id))?.Name, names[id], mayMiss: false);
                Compare(differences, settling, "chain by code", instance, id, (await app.Chain.GetAsync<Row>(CodeKey(id)))?.Name, names[id], mayMiss: false);
                Compare(differences, settling, "memory tier", instance, id, (await app.Memory.GetAsync<Row, int>(id))?.Name, names[id], mayMiss: true);
                Compare(differences, settling, "Redis tier", instance, id, (await app.Redis.GetAsync<Row, int>(id))?.Name, names[id], mayMiss: true);
                if (CachedQueries)
                {
                    Compare(differences, settling, "cached query", instance, id, await CachedQueryNameAsync(instance, id), names[id], mayMiss: false);
                    Compare(differences, settling, "compiled cached query", instance, id, await CompiledQueryNameAsync(instance, id), names[id], mayMiss: false);
                }

                Compare(differences, settling, "value under a token key", instance, id, await TokenKeyedNameAsync(instance, id), names[id], mayMiss: false);
            }
        }

        return differences;
    }

    private void Compare(List<string> differences, bool settling, string what, int instance, int id, string? name, string expected, bool mayMiss)
    {
        if (!settling)
        {
            Interlocked.Increment(ref _checked);
        }

        if (name != expected && !(mayMiss && name is null))
        {
            differences.Add($"{what} on instance {instance}, row {id}: {name ?? "null"}, the database holds {expected} (last write: {_ledger.LastWrite(id)})");
        }
    }
}
