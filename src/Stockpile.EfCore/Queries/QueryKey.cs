using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;

namespace Stockpile.Internal;

/// <summary>
/// The cache key of a query: <c>q:</c>, the id of its shape, every value it uses, and the database it reads. One walk over the expression
/// hashes the shape (a 128-bit hash of node kinds, types and members, fast to compute and only valid in this process)
/// and collects the values (closure variables through compiled getters, constants). The shape's cross-process id is the
/// SHA-256 of its text, made once per shape. The key is written into one reused builder: one string per key.
/// </summary>
internal static class QueryKey
{
    /// <summary>Values longer than this (in characters) are put in the key as their SHA-256.</summary>
    private const int LongestValues = 256;

    private static readonly ConcurrentDictionary<(ulong, ulong, Type), QueryShape> s_shapes = new();

    [ThreadStatic]
    private static QueryWalker? t_walker;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static (QueryShape Shape, string Key) Of(StockpileEntityQueryProvider provider, Expression expression)
    {
        var context = provider.Context;
        var walker = t_walker ??= new QueryWalker();
        walker.Reset(text: null);
        walker.Walk(expression);
        var shapeKey = (walker.Hash1, walker.Hash2, context.GetType());
        if (!s_shapes.TryGetValue(shapeKey, out var shape))
        {
            shape = s_shapes.GetOrAdd(shapeKey, static (_, state) => new QueryShape(IdOf(state.Context.GetType().FullName!, state.Expression)), (Context: context, Expression: expression));
        }

        var builder = Builder();
        builder.Append("q:").Append(shape.Id).Append('|');
        var values = builder.Length;
        walker.AppendValues(builder);
        walker.Reset(text: null);

        // The database is part of the key: contexts of one type over two databases (a database per tenant) never share a result.
        builder.Append(provider.DatabaseKey);
        return (shape, Finish(builder, values));
    }

    /// <summary>The thread's key builder, emptied (a key is written without an await in between).</summary>
    public static StringBuilder Builder() => (t_builder ??= new StringBuilder(256)).Clear();

    /// <summary>The key the builder holds: as it is, or with the values (from <paramref name="values"/> on) replaced by their SHA-256 when long.</summary>
    public static string Finish(StringBuilder builder, int values)
    {
        if (builder.Length - values <= LongestValues)
        {
            return builder.ToString();
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString(values, builder.Length - values))));
        return string.Concat(builder.ToString(0, values), "#", hash);
    }

    /// <summary>A shape's id: the hash of <paramref name="head"/> and the expression's text (types and members by name), the same in every process of the application.</summary>
    public static string IdOf(string head, Expression expression)
    {
        var text = new StringBuilder(256).Append(head).Append('|');
        var walker = new QueryWalker();
        walker.Reset(text);
        walker.Walk(expression);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }
}
