using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Samples.MinimalApi;
using Stockpile.Testing.Diagnostics;

namespace Stockpile.Tests;

/// <summary>Starts the minimal API on a loopback port (real Kestrel, real SQLite file) and calls it over HTTP.</summary>
public sealed class MinimalApiTests
{
    private string _folder = "";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("stockpile-api-").FullName;
        _app = CatalogApi.Build(["--urls", "http://127.0.0.1:0", "--ConnectionStrings:Catalog", $"Data Source={Path.Combine(_folder, "catalog.db")}"]);
        await CatalogApi.EnsureDatabaseAsync(_app.Services);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Assert.That(address, Does.StartWith("http://127.0.0.1:"));
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Tiers_AreChainedAtStartup_MemoryThenDatabase()
    {
        var tiers = await _http.GetFromJsonAsync<string[]>("/tiers");

        Assert.That(tiers, Is.EqualTo(new[] { "memory", "database" }));
    }

    [Test]
    public async Task Health_AllTiersAnswer_Healthy()
    {
        var response = await _http.GetAsync("/health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task GetItem_Traced_GetSpanParentsTheDatabaseReadAndTheBackfill()
    {
        await _http.PostAsJsonAsync("/items", new CatalogItem { Id = 77, Sku = "TRACE-77", Name = "Traced", Price = 1m });
        var chain = _app.Services.GetRequiredService<ChainedStore>();
        await chain.EvictLocalAsync([EntityKey.For<CatalogItem>(77)]);
        using var telemetry = new TelemetryRecorder();

        Assert.That((await _http.GetAsync("/items/77")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var get = telemetry.SpansOf(chain.Name, "get").Single();
        var database = telemetry.SpansOf("database", "get").Single();
        Assert.That((database.ParentSpanId, database.GetTagItem("db.system")), Is.EqualTo((get.SpanId, (object)"sqlite")));
        Assert.That(telemetry.SpansOf(chain.Name, "backfill").Single().ParentSpanId, Is.EqualTo(get.SpanId));
    }

    [Test]
    public async Task GetItem_Missing_Returns404()
    {
        var response = await _http.GetAsync("/items/424242");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task PutItem_ThenGet_ServesTheCommittedState()
    {
        var created = await _http.PostAsJsonAsync("/items", new CatalogItem { Id = 1, Sku = "MUG-1", Name = "Mug", Price = 7m });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await _http.GetFromJsonAsync<CatalogItem>("/items/1"))!.Name, Is.EqualTo("Mug"));
        Assert.That((await _http.GetFromJsonAsync<CatalogItem>("/items/by-sku/MUG-1"))!.Id, Is.EqualTo(1));

        var updated = await _http.PutAsJsonAsync("/items/1", new CatalogItem { Sku = "MUG-2", Name = "Big mug", Price = 9m });
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await _http.GetFromJsonAsync<CatalogItem>("/items/1"))!.Name, Is.EqualTo("Big mug"), "the cached copy must follow the commit");
        Assert.That((await _http.GetAsync("/items/by-sku/MUG-1")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the old SKU must stop resolving");
        Assert.That((await _http.GetFromJsonAsync<CatalogItem>("/items/by-sku/MUG-2"))!.Price, Is.EqualTo(9m));
    }

    [Test]
    public async Task GetItems_CachedList_StaysCorrectAfterAWrite()
    {
        Assert.That((await _http.PostAsJsonAsync("/items", new CatalogItem { Id = 101, Sku = "LIST-1", Name = "Plate", Price = 3m })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "Plate" }));

        // A write behind the app's back (no EF Core, no interceptor) is not seen: the list is answered from the cache.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_app.Configuration["ConnectionStrings:Catalog"]))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE \"Items\" SET \"Name\" = 'Plate (unseen)' WHERE \"Id\" = 101";
            await command.ExecuteNonQueryAsync();
        }

        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "Plate" }), "the list comes from the cache");

        // A write through the app commits through EF Core: the cached list is dropped, and the next read is the database's.
        Assert.That((await _http.PostAsJsonAsync("/items", new CatalogItem { Id = 102, Sku = "LIST-2", Name = "Bowl", Price = 4m })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "Plate (unseen)", "Bowl" }));
        Assert.That((await _http.PutAsJsonAsync("/items/102", new CatalogItem { Sku = "LIST-2", Name = "Big bowl", Price = 4m })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "Plate (unseen)", "Big bowl" }));
    }

    private async Task<string[]> NamesAsync()
    {
        var items = await _http.GetFromJsonAsync<CatalogItem[]>("/items?maxPrice=5");
        return [.. items!.Where(static i => i.Id is 101 or 102).Select(static i => i.Name)];
    }
}
