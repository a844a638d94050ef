using System.Reflection;
using BenchmarkDotNet.Attributes;
using Stockpile.Internal.Caching;

namespace Stockpile.Benchmarks;

/// <summary>
/// The copy a memory hit of a flat mutable value makes (see <see cref="CacheBenchmarks"/>), alone: the field copy the
/// cache emits once per type, against <see cref="object.MemberwiseClone"/> called through a delegate (the cache's copy
/// before) and a hand-written <c>new Product { ... }</c> (the floor).
/// </summary>
[MemoryDiagnoser]
public class CacheCopyBenchmarks
{
    private static readonly Func<object, object> s_memberwiseClone = typeof(object)
        .GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!
        .CreateDelegate<Func<object, object>>();

    private readonly Product _product = new() { Id = 421, Sku = "SKU-000421", Name = "Product 421", Price = 42.1m };
    private readonly Func<object, object> _copier = CacheValues.CopierOf(typeof(Product))!;

    [Benchmark(Baseline = true, Description = "MemberwiseClone through a delegate, Product")]
    public object MemberwiseCloneCopy() => s_memberwiseClone(_product);

    [Benchmark(Description = "Stockpile's emitted field copy, Product")]
    public object EmittedCopy() => _copier(_product);

    [Benchmark(Description = "hand-written new Product { ... }")]
    public Product HandWrittenCopy() => new() { Id = _product.Id, Sku = _product.Sku, Name = _product.Name, Price = _product.Price };
}
