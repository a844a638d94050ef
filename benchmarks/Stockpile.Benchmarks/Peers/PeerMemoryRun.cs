using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 7: memory held per cached small entity at 1,000,000 entries. Each side runs in a process of its own,
/// one after the other: it makes the cache, makes the products (the same for every side: id, SKU, name, price), fills
/// the cache with all of them (one-hour lifetime everywhere), and reads <c>GC.GetTotalMemory(true)</c> before the
/// products, after them, after the fill, and after dropping its own references to the products. Two figures per entry:
/// what the cache added while the caller still holds the objects (its entries, keys, and any copy it keeps), and all it
/// holds once the caller has let go (the same plus the objects themselves where the cache keeps them). Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-memory [entries]</c>.
/// </summary>
internal static class PeerMemoryRun
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromHours(1);

    private static readonly (string Side, string Description)[] s_sides =
    [
        ("memorycache", "MemoryCache.Set by id (the baseline)"),
        ("memorycache-2", "MemoryCache.Set by id and by SKU (the entity store's two look-ups)"),
        ("stockpile-store", "Stockpile MemoryStore (entity store, by Id and Sku)"),
        ("stockpile-cache", "Stockpile IStockpileCache, memory (string key, a private copy)"),
        ("fusion", "FusionCache 2.9.0, memory only (string key)"),
        ("hybrid", "HybridCache 10.11.0 default, memory only (string key, serialized bytes)"),
    ];

    /// <summary>Runs every side in a child process and prints each side's figures with its ratio to <c>MemoryCache</c>.</summary>
    public static async Task RunAsync(int entries)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"peer memory: {entries:N0} products per side, each side in its own process, one after the other"));
        double? baselineAdded = null, baselineHeld = null;
        foreach (var (side, description) in s_sides)
        {
            var (added, held) = await RunChildAsync(side, entries);
            baselineAdded ??= added;
            baselineHeld ??= held;
            Console.WriteLine(string.Create(inv, $"  {description}: added {added:N1} B per entry ({added / baselineAdded:N2}x), held alone {held:N1} B per entry ({held / baselineHeld:N2}x)"));
        }
    }

    /// <summary>One side, in this process: prints two numbers, the bytes per entry added and held.</summary>
    public static async Task RunSideAsync(string side, int entries)
    {
        var (cache, put) = await CreateAsync(side);
        var start = GC.GetTotalMemory(forceFullCollection: true);
        var products = new Product[entries];
        for (var i = 0; i < products.Length; i++)
        {
            products[i] = new Product { Id = i, Sku = $"SKU-{i:D7}", Name = $"Product {i}", Price = i };
        }

        var made = GC.GetTotalMemory(forceFullCollection: true);
        await FillAsync(products, put);
        var filled = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(products);
        products = null;
        var alone = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(filled - made) / (double)entries:R} {(alone - start) / (double)entries:R}"));
    }

    /// <summary>
    /// Puts every product: a method of its own, never inlined, so that no state of this loop stays in the caller's frame
    /// and keeps the products alive after the caller dropped them.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task FillAsync(Product[] products, Func<Product, ValueTask> put)
    {
        foreach (var product in products)
        {
            await put(product);
        }
    }

    private static async Task<(double Added, double Held)> RunChildAsync(string side, int entries)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PeerMemoryRun).Assembly.Location);
        }

        foreach (var argument in new[] { "--peer-memory-side", side, entries.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var figures = output.Trim().Split('\n')[^1].Split(' ');
        if (child.ExitCode != 0 || figures.Length != 2)
        {
            throw new InvalidOperationException($"The {side} side failed (exit code {child.ExitCode}): {output}");
        }

        return (double.Parse(figures[0], CultureInfo.InvariantCulture), double.Parse(figures[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Makes the side's cache (its code run once, so nothing of it is counted as entries): what holds it, and how to put a product in it.</summary>
    private static async Task<(object Holder, Func<Product, ValueTask> Put)> CreateAsync(string side)
    {
        var warm = new Product { Id = -1, Sku = "warm", Name = "warm" };
        switch (side)
        {
            case "memorycache":
            case "memorycache-2":
            {
                var cache = new MemoryCache(new MemoryCacheOptions());
                var options = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = s_lifetime };
                cache.Set(warm.Id, warm, options);
                cache.Remove(warm.Id);
                var bySku = side == "memorycache-2";
                return (cache, product =>
                {
                    cache.Set(product.Id, product, options);
                    if (bySku)
                    {
                        cache.Set(product.Sku, product, options);
                    }

                    return default;
                });
            }

            case "stockpile-store":
            {
                var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = null, DefaultLifetime = s_lifetime });
                await store.PutAsync(warm);
                await store.DeleteAsync(warm);
                return (store, product => store.PutAsync(product));
            }

            case "stockpile-cache":
            {
                var cache = new StockpileCache(new StockpileCacheOptions { DefaultExpiration = s_lifetime });
                await cache.SetAsync("warm", warm);
                await cache.RemoveAsync("warm");
                return (cache, product => cache.SetAsync(PeerBQueries.Key(product.Id), product));
            }

            case "fusion":
            {
                var cache = new FusionCache(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions { Duration = s_lifetime } });
                cache.Set("warm", warm);
                cache.Remove("warm");
                return (cache, product =>
                {
                    cache.Set(PeerBQueries.Key(product.Id), product);
                    return default;
                });
            }

            case "hybrid":
            {
                var services = new ServiceCollection();
                services.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = s_lifetime, LocalCacheExpiration = s_lifetime });
                var provider = services.BuildServiceProvider();
                var cache = provider.GetRequiredService<HybridCache>();
                await cache.SetAsync("warm", warm);
                await cache.RemoveAsync("warm");
                return (provider, product => cache.SetAsync(PeerBQueries.Key(product.Id), product));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(side), side, "Unknown side: " + string.Join(", ", s_sides.Select(static s => s.Side)));
        }
    }
}
