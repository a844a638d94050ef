using Stockpile.Samples.MinimalApi;

var app = CatalogApi.Build(args);
await CatalogApi.EnsureDatabaseAsync(app.Services);
await app.RunAsync();
