using System.Transactions;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Interception;

/// <summary>Issue 11 in a <see cref="TransactionScope"/> (PostgreSQL: SQLite has no ambient transactions): cached queries go to the database and store nothing.</summary>
[TestFixture]
public sealed class CachedQueryTransactionScopeTests
{
    [Test]
    public async Task Cached_InTransactionScope_GoesToTheDatabaseAndStoresNothing()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;
        _ = await ListAsync(harness, author);

        harness.Commands.Reset();
        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var context = harness.App.CreateDbContext();
            context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = author, Title = "in scope", Price = 1 });
            await context.SaveChangesAsync();
            Assert.That(await ListAsync(harness, author), Has.Count.EqualTo(4), "the scope reads its own writes");
            scope.Complete();
        }

        Assert.That(await ListAsync(harness, author), Has.Count.EqualTo(4), "the commit dropped the cached result");
    }

    private static async Task<List<QBook>> ListAsync(QueryHarness harness, int author)
    {
        await using var context = harness.App.CreateDbContext();
        return await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync();
    }
}
