using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (the put within 1.5x of one <c>EVALSHA</c>): on one server the put script reads an object's side record
/// only when its alternate keys may have changed: when each new pointer replaced one to the object itself and the
/// record has as many members, it already lists exactly them. These pin the cases where it must still be read and
/// changed.
/// </summary>
public sealed class Issue9PutSideRecordTests
{
    private ConnectionMultiplexer _connection = null!;
    private IDatabase _database = null!;
    private RedisStore _store = null!;
    private string _prefix = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = _connection.GetDatabase();
        _prefix = TestStores.UniquePrefix();
        _store = TestStores.Create(_connection, o => o.KeyPrefix = _prefix);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _store.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Test]
    public async Task PutAsync_AlternateKeyBecomesNull_OldPointerAndSideRecordGo()
    {
        var code = $"C{TestStores.NextId()}";
        await _store.PutAsync(new Customer { Code = code, Email = $"{code}@example.com" });

        await _store.PutAsync(new Customer { Code = code, Email = null, Name = "no mail" });

        Assert.That(await _store.GetAsync<Customer>(ByEmail($"{code}@example.com")), Is.Null);
        Assert.That((await _store.GetAsync<Customer, string>(code))?.Name, Is.EqualTo("no mail"));
        Assert.That(await _database.KeyExistsAsync(SideRecord(code)), Is.False);
    }

    [Test]
    public async Task PutAsync_AlternateKeyChanges_OnlyTheNewOneIsListed()
    {
        var code = $"C{TestStores.NextId()}";
        await _store.PutAsync(new Customer { Code = code, Email = $"old-{code}@example.com" });

        await _store.PutAsync(new Customer { Code = code, Email = $"new-{code}@example.com", Name = "moved" });

        Assert.That(await _store.GetAsync<Customer>(ByEmail($"old-{code}@example.com")), Is.Null);
        Assert.That((await _store.GetAsync<Customer>(ByEmail($"new-{code}@example.com")))?.Name, Is.EqualTo("moved"));
        Assert.That((await _database.SetMembersAsync(SideRecord(code))).Select(m => (string)m!), Is.EqualTo(new[] { EmailKey($"new-{code}@example.com") }));
    }

    [Test]
    public async Task PutAsync_SideRecordLostWhilePointersStay_IsRebuiltSoALaterChangeRemovesThePointer()
    {
        // A side record may expire a moment before the pointers set with it: the next put must list them again.
        var code = $"C{TestStores.NextId()}";
        await _store.PutAsync(new Customer { Code = code, Email = $"old-{code}@example.com" });
        await _database.KeyDeleteAsync(SideRecord(code));

        await _store.PutAsync(new Customer { Code = code, Email = $"old-{code}@example.com" });
        Assert.That((await _database.SetMembersAsync(SideRecord(code))).Select(m => (string)m!), Is.EqualTo(new[] { EmailKey($"old-{code}@example.com") }));

        await _store.PutAsync(new Customer { Code = code, Email = $"new-{code}@example.com" });
        Assert.That(await _database.KeyExistsAsync(EmailKey($"old-{code}@example.com")), Is.False, "the old pointer went with the change");
    }

    private static EntityKey ByEmail(string email) => EntityKey.Of<Customer>(nameof(Customer.Email), email);

    private string EmailKey(string email) => TestStores.KeyOf(_prefix, ByEmail(email));

    private string SideRecord(string code) => TestStores.KeyOf(_prefix, EntityKey.For<Customer>(code)) + RedisKeyPatterns.SideRecordSuffix;
}
