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
}
