using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// Counts the queries EF sends and the values each carried, and holds every query before it runs until released, so
/// that callers can pile up behind it.
/// </summary>
public sealed partial class HeldQueries : DbCommandInterceptor
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<object?[]> _parameters = new();

    /// <summary>Gets the values each query sent carried: its parameters (an array flattened) and the numbers in its text and in its text parameters (inlined or JSON lists).</summary>
    public IReadOnlyList<object?[]> Queries => [.. _parameters];

    /// <summary>Gets every whole number of <paramref name="digits"/> digits the queries carried, one per occurrence.</summary>
    public IReadOnlyList<int> Numbers(int digits) =>
        [.. _parameters.SelectMany(static q => q).Select(static v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "")
            .SelectMany(text => Number().Matches(text).Select(m => m.Value)).Where(n => n.Length == digits).Select(int.Parse)];

    [System.Text.RegularExpressions.GeneratedRegex(@"\d+")]
    private static partial System.Text.RegularExpressions.Regex Number();

    public void Release() => _released.TrySetResult();

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _parameters.Enqueue([command.CommandText, .. command.Parameters.Cast<DbParameter>().SelectMany(static p => p.Value is IEnumerable values and not string ? values.Cast<object?>() : [p.Value])]);
        await _released.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return result;
    }
}
