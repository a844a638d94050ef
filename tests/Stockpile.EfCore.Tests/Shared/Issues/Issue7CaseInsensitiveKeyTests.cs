using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 7, item 7: on a case-insensitive key column (SQLite NOCASE, a PostgreSQL nondeterministic collation), single
/// get, batch get and delete agree, and no cache tier files one row under two spellings. Stockpile keys compare
/// ordinally, so a look-up finds only the row whose key is exactly the value asked for.
/// </summary>
[TestFixture]
public sealed class Issue7CaseInsensitiveKeyTests
{
    private static async Task<(ChainHarness<CaseInsensitiveDbContext> Harness, Tag Row)> SeedAsync()
    {
        var harness = await ChainHarness<CaseInsensitiveDbContext>.CreateAsync();
        var id = Issue7OwnedTypeTests.NextId();
        var row = new Tag { Id = id, Code = $"ABC-{id}", Name = "upper" };
        await using var context = harness.Plain.CreateDbContext();
        context.Add(row);
        await context.SaveChangesAsync();
        return (harness, row);
    }

    private static EntityKey ByCode(string code) => EntityKey.Of<Tag>(nameof(Tag.Code), code);

    [Test]
    public async Task Database_ComparesCodeIgnoringCase()
    {
        var (harness, row) = await SeedAsync();
        var lower = row.Code.ToLowerInvariant();
        await using var context = harness.Plain.CreateDbContext();

        Assert.That(await context.Set<Tag>().CountAsync(t => t.Code == lower), Is.EqualTo(1), "the premise: the column is case-insensitive");
    }

    [Test]
    public async Task GetGetManyDelete_OtherSpelling_AllMissAndTheRowStays()
    {
        var (harness, row) = await SeedAsync();
        var lower = row.Code.ToLowerInvariant();

        Assert.That(await harness.Source.GetAsync<Tag>(ByCode(lower)), Is.Null, "single get");
        Assert.That((await harness.Source.GetManyAsync<Tag>([ByCode(lower)]))[0], Is.Null, "batch get");
        Assert.That(await harness.Source.DeleteAsync(ByCode(lower)), Is.False, "delete");
        Assert.That(await harness.Source.GetAsync<Tag, int>(row.Id), Is.Not.Null, "the row stays");
    }

    [Test]
    public async Task GetGetManyDelete_ExactSpelling_AllFindTheRow()
    {
        var (harness, row) = await SeedAsync();

        Assert.That((await harness.Source.GetAsync<Tag>(ByCode(row.Code)))?.Id, Is.EqualTo(row.Id), "single get");
        Assert.That((await harness.Source.GetManyAsync<Tag>([ByCode(row.Code)]))[0]?.Id, Is.EqualTo(row.Id), "batch get");
        Assert.That(await harness.Source.DeleteAsync(ByCode(row.Code)), Is.True, "delete");
        Assert.That(await harness.Source.GetAsync<Tag, int>(row.Id), Is.Null, "deleted");
    }

    [Test]
    public async Task ChainGet_BothSpellings_CachesFileTheRowUnderItsOwnSpellingOnly()
    {
        var (harness, row) = await SeedAsync();
        var lower = row.Code.ToLowerInvariant();

        Assert.That((await harness.Chain.GetAsync<Tag>(ByCode(row.Code)))?.Id, Is.EqualTo(row.Id));
        Assert.That(await harness.Chain.GetAsync<Tag>(ByCode(lower)), Is.Null);
        Assert.That(await harness.Chain.GetManyAsync<Tag>([ByCode(lower), ByCode(row.Code)]), Has.Exactly(1).Not.Null);

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Tag>(ByCode(lower)), Is.Null, $"tier '{tier.Name}' files the row under a second spelling");
            Assert.That((await tier.GetAsync<Tag>(ByCode(row.Code)))?.Id, Is.EqualTo(row.Id), $"tier '{tier.Name}'");
        }
    }
}
