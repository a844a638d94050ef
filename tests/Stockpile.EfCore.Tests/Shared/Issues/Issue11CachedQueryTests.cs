using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 11: <c>Cached()</c> queries answer from the cache on a repeat (no command reaches the database), are keyed by
/// shape and every value, and stop being served once a commit changes a table they read.
/// </summary>
[TestFixture]
public sealed class Issue11CachedQueryTests
{
    [Test]
    public async Task ToListAsync_Repeated_SecondRunSendsNoCommand()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;

        var first = await ListAsync(harness, author);
        var commands = harness.Commands.Count;
        var second = await ListAsync(harness, author);

        Assert.That(commands, Is.GreaterThan(0));
        Assert.That(harness.Commands.Count, Is.EqualTo(commands), "the repeat must be answered by the cache");
        Assert.That(second.Select(b => b.Title), Is.EqualTo(first.Select(b => b.Title)));
        Assert.That(second, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task ToListAsync_AfterSaveChangesAddsRow_SeesTheRow()
    {
        var harness = await QueryHarness.CreateAsync();
        Assert.That(await ListAsync(harness, harness.AuthorId), Has.Count.EqualTo(3));

        await using (var context = harness.App.CreateDbContext())
        {
            context.Books.Add(new QBook { Id = QueryHarness.Next(), AuthorId = harness.AuthorId, Title = "new", Price = 5 });
            await context.SaveChangesAsync();
        }

        Assert.That(await ListAsync(harness, harness.AuthorId), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task ToListAsync_AfterSaveChangesModifiesRow_SeesTheChange()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await ListAsync(harness, harness.AuthorId);

        await using (var context = harness.App.CreateDbContext())
        {
            var book = await context.Books.SingleAsync(b => b.Id == harness.BookIds[0]);
            book.Title = "renamed";
            await context.SaveChangesAsync();
        }

        Assert.That((await ListAsync(harness, harness.AuthorId)).Select(b => b.Title), Does.Contain("renamed"));
    }

    [Test]
    public async Task ToListAsync_WriteToAnotherTable_StaysCached()
    {
        var harness = await QueryHarness.CreateAsync();
        _ = await ListAsync(harness, harness.AuthorId);

        await using (var context = harness.App.CreateDbContext())
        {
            context.Notes.Add(new QNote { Id = QueryHarness.Next(), Text = "unrelated" });
            await context.SaveChangesAsync();
        }

        harness.Commands.Reset();
        _ = await ListAsync(harness, harness.AuthorId);
        Assert.That(harness.Commands.Count, Is.Zero, "a write to a table the query does not read must not drop it");
    }

    [Test]
    public async Task Cached_DifferentParameterValues_NeverShareAnEntry()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();

        decimal min = 15;
        var above15 = await context.Books.Where(b => b.AuthorId == harness.AuthorId && b.Price > min).Cached().CountAsync();
        min = 25;
        var above25 = await context.Books.Where(b => b.AuthorId == harness.AuthorId && b.Price > min).Cached().CountAsync();
        var title = $"book{harness.AuthorId}-0";
        var byTitle = await context.Books.Where(b => b.Title == title).Cached().CountAsync();
        title = "no such title";
        var none = await context.Books.Where(b => b.Title == title).Cached().CountAsync();

        Assert.That((above15, above25, byTitle, none), Is.EqualTo((2, 1, 1, 0)));
    }

    [Test]
    public async Task Cached_LikeAndContainsWithDifferentValues_NeverShareAnEntry()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();
        var author = harness.AuthorId;

        var pattern = $"book{author}-%";
        var all = await context.Books.Where(b => EF.Functions.Like(b.Title, pattern)).Cached().CountAsync();
        pattern = $"book{author}-1%";
        var one = await context.Books.Where(b => EF.Functions.Like(b.Title, pattern)).Cached().CountAsync();
        List<int> ids = [harness.BookIds[0], harness.BookIds[2]];
        var two = await context.Books.Where(b => ids.Contains(b.Id)).Cached().CountAsync();
        ids = [harness.BookIds[1]];
        var single = await context.Books.Where(b => ids.Contains(b.Id)).Cached().CountAsync();

        Assert.That((all, one, two, single), Is.EqualTo((3, 1, 2, 1)));
    }

    [Test]
    public async Task Cached_DifferentShapesSameValues_NeverShareAnEntry()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();
        var author = harness.AuthorId;

        var above = await context.Books.Where(b => b.AuthorId == author && b.Price > 15).Cached().CountAsync();
        var below = await context.Books.Where(b => b.AuthorId == author && b.Price < 15).Cached().CountAsync();
        var any = await context.Books.Where(b => b.AuthorId == author && b.Price > 100).Cached().AnyAsync();

        Assert.That((above, below, any), Is.EqualTo((2, 1, false)));
    }

    [Test]
    public async Task Cached_ScalarsAsyncAndSync_AnswerAndRepeatFromCache()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;

        async Task<object[]> RunAsync()
        {
            await using var context = harness.App.CreateDbContext();
            var books = context.Books.Where(b => b.AuthorId == author);
            return
            [
                await books.Cached().CountAsync(),
                await books.Cached().AnyAsync(),
                await books.Cached().SumAsync(b => b.Price),
                await books.Cached().MaxAsync(b => b.Price),
                await books.Cached().MinAsync(b => b.Price),
                (await books.OrderBy(b => b.Id).Cached().FirstOrDefaultAsync())!.Id,
                (await books.Where(b => b.Price == 20).Cached().SingleAsync()).Price,
                books.Cached().Count(),
                books.Cached().Any(b => b.Price > 25),
                books.Cached().Sum(b => b.Price),
                books.Cached().Max(b => b.Price),
                books.Cached().OrderBy(b => b.Id).First().Id,
                books.Cached().ToList().Count,
                books.Cached().AsEnumerable().Count(),
            ];
        }

        var first = await RunAsync();
        var commands = harness.Commands.Count;
        var second = await RunAsync();

        Assert.That(first, Is.EqualTo(new object[] { 3, true, 60m, 30m, 10m, harness.BookIds[0], 20m, 3, true, 60m, 30m, harness.BookIds[0], 3, 3 }));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(harness.Commands.Count, Is.EqualTo(commands), "every repeat must be answered by the cache");
    }

    [Test]
    public async Task Cached_ProjectionsIncludeAndJoin_AreRightAndDroppedByAWriteToAnyTableRead()
    {
        var harness = await QueryHarness.CreateAsync();
        var author = harness.AuthorId;

        async Task<(List<BookLine> Dtos, string Anonymous, QAuthor Included, int Joined, int Genres)> RunAsync()
        {
            await using var context = harness.App.CreateDbContext();
            var dtos = await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id)
                .Select(b => new BookLine(b.Title, b.Author!.Name, b.Price)).Cached().ToListAsync();
            var anonymous = await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id)
                .Select(b => new { b.Title, City = b.Author!.Address.City }).Cached().FirstAsync();
            var included = await context.Authors.Include(a => a.Books).ThenInclude(b => b.Genres).Where(a => a.Id == author).Cached().SingleAsync();
            var joined = await (from b in context.Books
                                join a in context.Authors on b.AuthorId equals a.Id
                                where a.Id == author
                                select b.Id).Cached().CountAsync();
            var genres = await context.Genres.Where(g => g.Books.Any(b => b.AuthorId == author)).Cached().CountAsync();
            return (dtos, anonymous.Title + "@" + anonymous.City, included, joined, genres);
        }

        var first = await RunAsync();
        Assert.That(first.Dtos, Is.EqualTo(new[] { new BookLine($"book{author}-0", $"author{author}", 10), new BookLine($"book{author}-1", $"author{author}", 20), new BookLine($"book{author}-2", $"author{author}", 30) }));
        Assert.That(first.Anonymous, Is.EqualTo($"book{author}-0@Oslo"));
        Assert.That(first.Included.Books.Select(b => b.Genres.Count), Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That((first.Joined, first.Genres), Is.EqualTo((3, 1)));

        harness.Commands.Reset();
        var cached = await RunAsync();
        Assert.That(harness.Commands.Count, Is.Zero);
        Assert.That(cached.Included.Books.Select(b => b.Genres.Count), Is.EqualTo(new[] { 1, 1, 1 }));

        // The author's name and city (the owned type, in the authors' table): the DTOs, the anonymous type, the include and the join read it.
        await using (var context = harness.App.CreateDbContext())
        {
            var entity = await context.Authors.SingleAsync(a => a.Id == author);
            entity.Name = "renamed";
            entity.Address.City = "Bergen";
            await context.SaveChangesAsync();
        }

        var afterAuthor = await RunAsync();
        Assert.That(afterAuthor.Dtos.Select(d => d.Author), Is.All.EqualTo("renamed"));
        Assert.That(afterAuthor.Anonymous, Is.EqualTo($"book{author}-0@Bergen"));
        Assert.That(afterAuthor.Included.Name, Is.EqualTo("renamed"));

        // A many-to-many link removed (the join table only): the include and the genre count read it.
        await using (var context = harness.App.CreateDbContext())
        {
            var genre = await context.Genres.Include(g => g.Books).SingleAsync(g => g.Id == harness.GenreId);
            genre.Books.Clear();
            await context.SaveChangesAsync();
        }

        var afterLinks = await RunAsync();
        Assert.That(afterLinks.Included.Books.Select(b => b.Genres.Count), Is.EqualTo(new[] { 0, 0, 0 }));
        Assert.That(afterLinks.Genres, Is.Zero);
    }

    [Test]
    public async Task Cached_TablePerType_DroppedByAChangeToTheBaseOrTheDerivedTable()
    {
        var harness = await QueryHarness.CreateAsync();
        var id = QueryHarness.Next();
        await using (var seed = harness.Plain.CreateDbContext())
        {
            seed.Vehicles.Add(new QBike { Id = id, Owner = "ann", Gears = 3 });
            await seed.SaveChangesAsync();
        }

        async Task<string> ReadAsync()
        {
            await using var context = harness.App.CreateDbContext();
            var bike = await context.Vehicles.OfType<QBike>().Where(b => b.Id == id).Cached().SingleAsync();
            var owners = await context.Vehicles.Where(v => v.Id == id).Select(v => v.Owner).Cached().SingleAsync();
            return $"{bike.Owner}/{bike.Gears}/{owners}";
        }

        Assert.That(await ReadAsync(), Is.EqualTo("ann/3/ann"));
        await using (var context = harness.App.CreateDbContext())
        {
            var bike = await context.Vehicles.OfType<QBike>().SingleAsync(b => b.Id == id);
            bike.Owner = "bob";
            await context.SaveChangesAsync();
        }

        Assert.That(await ReadAsync(), Is.EqualTo("bob/3/bob"), "a change to the base table");
        await using (var context = harness.App.CreateDbContext())
        {
            var bike = await context.Vehicles.OfType<QBike>().SingleAsync(b => b.Id == id);
            bike.Gears = 21;
            await context.SaveChangesAsync();
        }

        Assert.That(await ReadAsync(), Is.EqualTo("bob/21/bob"), "a change to the derived table");
    }

    [Test]
    public async Task Cached_CallerChangesItsResult_CacheKeepsTheOriginal()
    {
        var harness = await QueryHarness.CreateAsync();
        var first = await ListAsync(harness, harness.AuthorId);
        first[0].Title = "changed by the caller";
        first.Clear();

        await using var context = harness.App.CreateDbContext();
        var included = await context.Authors.Include(a => a.Books).Where(a => a.Id == harness.AuthorId).Cached().SingleAsync();
        included.Books[0].Title = "changed too";
        included.Books[0].Author!.Name = "and this";

        var again = await ListAsync(harness, harness.AuthorId);
        var includedAgain = await context.Authors.Include(a => a.Books).Where(a => a.Id == harness.AuthorId).Cached().SingleAsync();
        Assert.That(again.Select(b => b.Title), Has.None.EqualTo("changed by the caller"));
        Assert.That(again, Has.Count.EqualTo(3));
        Assert.That(includedAgain.Books.Select(b => b.Title), Has.None.EqualTo("changed too"));
        Assert.That(includedAgain.Name, Is.EqualTo($"author{harness.AuthorId}"));
        Assert.That(includedAgain.Books[0].Author, Is.SameAs(includedAgain), "a copy keeps the graph's shape");
    }

    [Test]
    public async Task Cached_ReturnsUntrackedEntities_AndAsTrackingThrows()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.App.CreateDbContext();

        var books = await context.Books.Where(b => b.AuthorId == harness.AuthorId).Cached().ToListAsync();
        Assert.That(context.ChangeTracker.Entries(), Is.Empty);
        var repeat = await context.Books.Where(b => b.AuthorId == harness.AuthorId).Cached().ToListAsync();
        Assert.That(context.ChangeTracker.Entries(), Is.Empty);

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => context.Books.AsTracking().Where(b => b.AuthorId == harness.AuthorId).Cached().ToListAsync());
        Assert.That(error!.Message, Does.Contain("tracking").And.Contain(nameof(QBook)));
        Assert.That((books.Count, repeat.Count), Is.EqualTo((3, 3)));
    }

    [Test]
    public async Task Cached_ContextWithoutInterceptor_ThrowsClearError()
    {
        var harness = await QueryHarness.CreateAsync();
        await using var context = harness.Plain.CreateDbContext();

        var error = Assert.Throws<InvalidOperationException>(() => context.Books.Cached());
        Assert.That(error!.Message, Does.Contain("AddStockpileInterceptor").And.Contain(nameof(QBook)));
    }

    internal static async Task<List<QBook>> ListAsync(QueryHarness harness, int author)
    {
        await using var context = harness.App.CreateDbContext();
        return await context.Books.Where(b => b.AuthorId == author).OrderBy(b => b.Id).Cached().ToListAsync();
    }
}
