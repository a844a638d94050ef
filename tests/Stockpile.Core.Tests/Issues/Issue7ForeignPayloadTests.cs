using System.Collections;
using System.Reflection;
using System.Text;
using Stockpile.Internal.KeyValue;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 7, item 9: in a custom store built on <see cref="KeyValueObjectStore"/>, bytes naming an unrelated type under an
/// object's key made <c>PutAsync</c> and <c>DeleteAsync</c> deserialize that type and run its property setters. Item 4
/// (the Core half): type names read from payloads grew a process-wide cache by one entry per foreign name.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Issue7ForeignPayloadTests
{
    [SetUp]
    public void ResetTrap() => Trap.Sprung = 0;

    [Test]
    public async Task PutAsync_ForeignTypeUnderPrimaryKey_InstantiatesNothingAndReplacesIt()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 9, Sku = "S9" });
        store.Entries[PrimaryKeyOf(9)] = TrapPayload();

        await store.PutAsync(new Product { Id = 9, Sku = "S9", Name = "new" });

        Assert.That(Trap.Sprung, Is.Zero, "a put must not deserialize a type it did not expect");
        Assert.That((await store.GetAsync<Product, int>(9))?.Name, Is.EqualTo("new"));
    }

    [Test]
    public async Task DeleteAsync_ForeignTypeUnderPrimaryKey_InstantiatesNothingAndRemovesIt()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 9, Sku = "S9" });
        store.Entries[PrimaryKeyOf(9)] = TrapPayload();

        await store.DeleteAsync(new Product { Id = 9, Sku = "S9" });

        Assert.That(Trap.Sprung, Is.Zero, "a delete must not deserialize a type it did not expect");
        Assert.That(store.Entries.ContainsKey(PrimaryKeyOf(9)), Is.False, "our own key is still removed");
    }

    [Test]
    public async Task DeleteAsync_ByAlternateKey_PointerToForeignType_InstantiatesNothing()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 9, Sku = "S9" });
        store.Entries[PrimaryKeyOf(9)] = TrapPayload();

        Assert.That(await store.DeleteAsync(EntityKey.Of<Product>("Sku", "S9")), Is.False);
        Assert.That(Trap.Sprung, Is.Zero);
    }

    [Test]
    public async Task PutAsync_ClaimingAlternateKeyWhosePointerLeadsToForeignType_InstantiatesNothing()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 9, Sku = "S9" });
        store.Entries[PrimaryKeyOf(9)] = TrapPayload();

        // Product 10 takes Sku S9, whose pointer leads to the trap.
        await store.PutAsync(new Product { Id = 10, Sku = "S9" });

        Assert.That(Trap.Sprung, Is.Zero);
        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>("Sku", "S9")))?.Id, Is.EqualTo(10));
    }

    [Test]
    public async Task GetAsync_ForeignTypeUnderPrimaryKey_IsAMissAndInstantiatesNothing()
    {
        var store = new DictionaryKeyValueStore();
        store.Entries[PrimaryKeyOf(9)] = TrapPayload();

        Assert.That(await store.GetAsync<Product, int>(9), Is.Null);
        Assert.That(Trap.Sprung, Is.Zero);
    }

    [Test]
    public async Task GetAsync_TwentyThousandForeignTypeNames_GrowNoProcessWideCollection()
    {
        var store = new DictionaryKeyValueStore();
        await store.GetAsync<Product, int>(1);
        var before = StaticCollectionSizes();

        for (var i = 0; i < 20_000; i++)
        {
            store.Entries[PrimaryKeyOf(1)] = Payload($"Foreign.Type{i}, Foreign.Assembly{i}", "{}");
            Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
        }

        var after = StaticCollectionSizes();
        Assert.That(after - before, Is.LessThan(100), "foreign type names must not be remembered one by one");
    }

    private static string PrimaryKeyOf(int id) => "stockpile:" + EntityKey.For<Product>(id).Encode();

    /// <summary>A well-formed payload naming <see cref="Trap"/>, in whatever format the store writes today.</summary>
    private static byte[] TrapPayload() => StoredPayload.Value(new TrapCarrier(), SystemTextJsonStockpileSerializer.Default) is var carrier
        ? Rename(carrier, typeof(TrapCarrier), typeof(Trap))
        : [];

    /// <summary>Swaps the type name in a payload, keeping the bytes after it: the carrier serializes as <c>{"Armed":"yes"}</c>.</summary>
    private static byte[] Rename(byte[] payload, Type from, Type to)
    {
        var nameLength = (payload[1] << 8) | payload[2];
        var fromName = Encoding.UTF8.GetString(payload, 3, nameLength);
        var toName = fromName.Replace(from.Name, to.Name, StringComparison.Ordinal);
        Assert.That(toName, Is.Not.EqualTo(fromName));
        return Payload(toName, Encoding.UTF8.GetString(payload, 3 + nameLength, payload.Length - 3 - nameLength));
    }

    private static byte[] Payload(string typeName, string json)
    {
        var name = Encoding.UTF8.GetBytes(typeName);
        return [(byte)'V', (byte)(name.Length >> 8), (byte)name.Length, .. name, .. Encoding.UTF8.GetBytes(json)];
    }

    /// <summary>The total count of every static collection in Stockpile.Core: a cache keyed by what is read from outside would show here.</summary>
    private static long StaticCollectionSizes()
    {
        long total = 0;
        foreach (var type in typeof(ObjectStore).Assembly.GetTypes().Where(static t => !t.ContainsGenericParameters))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (!field.IsLiteral && field.GetValue(null) is ICollection collection)
                {
                    total += collection.Count;
                }
            }
        }

        return total;
    }

    /// <summary>Counts every time its setter runs: the bytes must never make Stockpile build one.</summary>
    public sealed class Trap
    {
        private static int s_sprung;

        public static int Sprung
        {
            get => Volatile.Read(ref s_sprung);
            set => Volatile.Write(ref s_sprung, value);
        }

        public string Armed
        {
            get => "";
            set => Interlocked.Increment(ref s_sprung);
        }
    }

    public sealed class TrapCarrier
    {
        public string Armed { get; set; } = "yes";
    }
}
