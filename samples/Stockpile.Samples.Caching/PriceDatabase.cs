using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Stockpile.Samples.Caching;

/// <summary>A price list in an in-memory SQLite database, counting the queries it answers.</summary>
internal sealed class PriceDatabase : IAsyncDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    /// <summary>Gets how many queries were run.</summary>
    public int Queries { get; private set; }

    /// <summary>Gets how many SKUs the last query asked for.</summary>
    public int LastAsked { get; private set; }

    public static async Task<PriceDatabase> CreateAsync(int count)
    {
        var database = new PriceDatabase();
        await database._connection.OpenAsync();
        await using var create = database._connection.CreateCommand();
        create.CommandText = "CREATE TABLE prices (sku TEXT PRIMARY KEY, price REAL NOT NULL)";
        await create.ExecuteNonQueryAsync();
        for (var i = 1; i <= count; i++)
        {
            await using var insert = database._connection.CreateCommand();
            insert.CommandText = "INSERT INTO prices VALUES ($sku, $price)";
            insert.Parameters.AddWithValue("$sku", Sku(i));
            insert.Parameters.AddWithValue("$price", i * 1.5);
            await insert.ExecuteNonQueryAsync();
        }

        return database;
    }

    public static string Sku(int i) => "SKU-" + i.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>One query for every SKU asked: <c>WHERE sku IN (...)</c>.</summary>
    public async ValueTask<IReadOnlyDictionary<string, decimal>> PricesAsync(IReadOnlyList<string> skus, CancellationToken cancellationToken)
    {
        Queries++;
        LastAsked = skus.Count;
        await using var query = _connection.CreateCommand();
        var names = new string[skus.Count];
        for (var i = 0; i < skus.Count; i++)
        {
            names[i] = "$s" + i.ToString(CultureInfo.InvariantCulture);
            query.Parameters.AddWithValue(names[i], skus[i]);
        }

        query.CommandText = $"SELECT sku, price FROM prices WHERE sku IN ({string.Join(", ", names)})";
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            prices[reader.GetString(0)] = reader.GetDecimal(1);
        }

        return prices;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
