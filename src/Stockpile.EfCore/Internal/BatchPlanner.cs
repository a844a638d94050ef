using System.Numerics;

namespace Stockpile.Internal;

/// <summary>
/// Splits a batch into as few statements as the parameter limit allows. Single-column look-ups cost one parameter per
/// key (EF sends the list as one array or inlines it) and all go in the first statement; composite look-ups cost one
/// parameter per key part and fill statements in order. A statement's share of a composite key is padded to a power
/// of two (repeating a value), so EF sees a handful of query shapes rather than one per batch size.
/// </summary>
internal static class BatchPlanner
{
    public static List<List<KeyLookup>> Plan(IReadOnlyList<KeyLookup> lookups, int maxParameters)
    {
        var statements = new List<List<KeyLookup>>();
        var current = lookups.Where(static l => !l.IsComposite).ToList();
        var budget = maxParameters - current.Count;
        foreach (var lookup in lookups.Where(static l => l.IsComposite))
        {
            var width = lookup.Properties.Count;
            var offset = 0;
            while (offset < lookup.Values.Count)
            {
                var fits = budget / width;
                if (fits == 0 && current.Count > 0)
                {
                    statements.Add(current);
                    current = [];
                    budget = maxParameters;
                    continue;
                }

                var take = Math.Min(Math.Max(fits, 1), lookup.Values.Count - offset);
                var slice = lookup.Values.Skip(offset).Take(take).ToList();
                var padded = (int)BitOperations.RoundUpToPowerOf2((uint)take);
                if (padded <= fits)
                {
                    while (slice.Count < padded)
                    {
                        slice.Add(slice[^1]);
                    }
                }

                current.Add(new KeyLookup(lookup.Properties, slice));
                budget -= slice.Count * width;
                offset += take;
            }
        }

        if (current.Count > 0 || statements.Count == 0)
        {
            statements.Add(current);
        }

        return statements;
    }
}
