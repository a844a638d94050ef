using System.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Interception;

/// <summary>Issue 11 on PostgreSQL, which enlists in ambient transactions: a TransactionScope changes tokens only when it completes.</summary>
[TestFixture]
public sealed class TransactionScopeTokenTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task TransactionScope_ChangesTokensOnlyWhenCompleted(bool complete)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<TestDbContext>((sp, o) =>
        {
            TestDatabase.Current.Configure(o);
            o.AddStockpileInterceptor(sp);
        });
        services.AddStockpile().AddMemoryStore().AddEfCoreStore<TestDbContext>().AddInvalidationTokens();
        await using var provider = services.BuildServiceProvider();
        var contexts = provider.GetRequiredService<IDbContextFactory<TestDbContext>>();
        var keys = provider.GetRequiredService<IStockpileKeyBuilder>();
        var product = InterceptorChangeTests.NewProduct();
        await using (var context = await contexts.CreateDbContextAsync())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        var key = StockpileKey.For("page").With(product).WithGlobal();
        var before = await keys.BuildAsync(key);
        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using (var context = await contexts.CreateDbContextAsync())
            {
                (await context.Products.SingleAsync(p => p.Id == product.Id)).Name = "in scope";
                await context.SaveChangesAsync();
            }

            Assert.That(await keys.BuildAsync(key), Is.EqualTo(before), "not committed yet");
            if (complete)
            {
                scope.Complete();
            }
        }

        Assert.That(await keys.BuildAsync(key), complete ? Is.Not.EqualTo(before) : Is.EqualTo(before));
    }
}
