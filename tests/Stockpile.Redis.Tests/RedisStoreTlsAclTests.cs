using System.Globalization;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// The store over TLS with an ACL user, through a <c>rediss://</c> URL translated to configuration options: the
/// package does TLS and AUTH; the store only has to hand it the right options, and keep the password out of sight.
/// </summary>
[NonParallelizable]
public sealed class RedisStoreTlsAclTests
{
    private const string User = "shop";
    private const string Password = "Tls-Acl-S3cret";
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _server = await RedisServer.StartAsync(new RedisServerOptions { Tls = true, AclUser = User, AclPassword = Password, Password = "default-" + Password });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task RedissUrlWithAclUser_StoreReadsAndWrites()
    {
        await using var store = await RedisStore.ConnectAsync(new RedisStoreOptions { ConfigurationOptions = Options(Password), KeyPrefix = TestStores.UniquePrefix() });
        var product = TestStores.NewProduct();

        await store.PutAsync(product);

        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo(product.Name));
    }

    [Test]
    public async Task WrongPassword_CallsFail_WithoutThePasswordInTheException()
    {
        const string Wrong = "Wrong-S3cret-Value";
        var options = Options(Wrong);
        options.ConnectTimeout = 500;
        await using var store = await RedisStore.ConnectAsync(new RedisStoreOptions { ConfigurationOptions = options, KeyPrefix = TestStores.UniquePrefix(), ThrowOnUnavailableWrites = true });

        var ex = Assert.CatchAsync(async () => await store.PutAsync(TestStores.NewProduct()));

        Assert.That(ex!.ToString(), Does.Not.Contain(Wrong).And.Not.Contain(Password));
    }

    private StackExchange.Redis.ConfigurationOptions Options(string password)
    {
        var options = RedisConfiguration.Parse(string.Create(CultureInfo.InvariantCulture, $"rediss://{User}:{Uri.EscapeDataString(password)}@{RedisServer.Host}:{_server.Port}"));
        options.CertificateValidation += _server.IsOwnCertificate;
        return options;
    }
}
