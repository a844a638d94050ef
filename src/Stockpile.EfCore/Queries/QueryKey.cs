using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// The cache key of a query: <c>q:</c>, the id of its shape, every value it uses, and the database it reads. One walk over the expression
/// hashes the shape (a 128-bit hash of node kinds, types and members, fast to compute and only valid in this process)
/// and collects the values (closure variables through compiled getters, constants). The shape's cross-process id is the
/// SHA-256 of its text, made once per shape.
/// </summary>
internal static class QueryKey
{
    /// <summary>Values longer than this (in characters) are put in the key as their SHA-256.</summary>
    private const int LongestValues = 256;

    private static readonly ConcurrentDictionary<(ulong, ulong, Type), QueryShape> s_shapes = new();

    [ThreadStatic]
    private static QueryWalker? t_walker;

    public static (QueryShape Shape, string Key) Of(DbContext context, Expression expression)
    {
        var walker = t_walker ??= new QueryWalker();
        walker.Reset(text: null);
        walker.Walk(expression);
        var shapeKey = (walker.Hash1, walker.Hash2, context.GetType());
        if (!s_shapes.TryGetValue(shapeKey, out var shape))
        {
            shape = s_shapes.GetOrAdd(shapeKey, static (_, state) => new QueryShape(IdOf(state.Context, state.Expression)), (Context: context, Expression: expression));
        }

        // The database is part of the key: contexts of one type over two databases (a database per tenant) never share a result.
        var connection = context.Database.GetDbConnection();
        walker.AddValue(connection.DataSource);
        walker.AddValue(connection.Database);
        var values = walker.EncodeValues();
        var key = values.Length <= LongestValues
            ? string.Concat("q:", shape.Id, "|", values)
            : string.Concat("q:", shape.Id, "|#", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(values))));
        walker.Reset(text: null);
        return (shape, key);
    }

    /// <summary>The shape's id: the hash of its text (types and members by name), the same in every process of the application.</summary>
    private static string IdOf(DbContext context, Expression expression)
    {
        var text = new StringBuilder(256).Append(context.GetType().FullName).Append('|');
        var walker = new QueryWalker();
        walker.Reset(text);
        walker.Walk(expression);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16);
    }
}
