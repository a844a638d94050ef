using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query.Internal;

namespace Stockpile.Internal;

#pragma warning disable EF1001 // EntityQueryProvider is EF Core's own provider; replacing it (ReplaceService) is how a query is seen whole, with its context, before it runs.

/// <summary>
/// EF Core's query provider, which also answers the queries marked <c>Cached()</c> from the cache. Every other query runs
/// exactly as before: the only extra work is a look along the query's operators for the marker.
/// </summary>
internal sealed class StockpileEntityQueryProvider(IQueryCompiler queryCompiler, ICurrentDbContext currentContext) : EntityQueryProvider(queryCompiler)
{
    private QueryCaching? _caching;
    private (System.Data.Common.DbConnection? Connection, string? ConnectionString, string Text) _database;

    /// <summary>Gets the context this provider runs queries for.</summary>
    public DbContext Context => currentContext.Context;

    /// <summary>Gets the query caching of this context's interceptor.</summary>
    public QueryCaching Caching => _caching ??= QueryCaching.Of(Context);

    /// <summary>
    /// Gets the database the context reads, as key text (its data source and name): worked out once per connection and
    /// connection string, as reading them may cost (SQLite asks the native library for an open file's name).
    /// </summary>
    public string DatabaseKey
    {
        get
        {
            var connection = Context.Database.GetDbConnection();
            var connectionString = connection.ConnectionString;
            var known = _database;
            if (ReferenceEquals(known.Connection, connection) && ReferenceEquals(known.ConnectionString, connectionString))
            {
                return known.Text;
            }

            var text = new System.Text.StringBuilder();
            QueryKeyText.Append(text, connection.DataSource);
            QueryKeyText.Append(text, connection.Database);
            _database = (connection, connectionString, text.ToString());
            return _database.Text;
        }
    }

    public override TResult Execute<TResult>(Expression expression) =>
        CachedQueryMarker.Find(expression) is { } marker
            ? ResultAdapter<TResult>.Instance.Execute(this, expression, marker)
            : base.Execute<TResult>(expression);

    public override TResult ExecuteAsync<TResult>(Expression expression, CancellationToken cancellationToken = default) =>
        CachedQueryMarker.Find(expression) is { } marker
            ? ResultAdapter<TResult>.Instance.ExecuteAsync(this, expression, marker, cancellationToken)
            : base.ExecuteAsync<TResult>(expression, cancellationToken);

    /// <summary>Runs a query on the database (the marker already replaced).</summary>
    public TResult ExecuteUncached<TResult>(Expression expression) => base.Execute<TResult>(expression);

    /// <summary>Runs a query on the database (the marker already replaced).</summary>
    public TResult ExecuteUncachedAsync<TResult>(Expression expression, CancellationToken cancellationToken) => base.ExecuteAsync<TResult>(expression, cancellationToken);
}
