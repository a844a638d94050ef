using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile;
using Stockpile.Testing.CrashApp;

// Usage: crash <sqlite|postgres> <database connection string> <redis configuration> <key prefix> <note id> <new text>
// Reads the note through the chain (so Redis holds it), then renames it with SaveChanges and is killed right after
// COMMIT, before Stockpile evicts. Exits 0 only if it was not killed (a failure of the test's premise).
if (args.Length != 7 || args[0] != "crash")
{
    Console.Error.WriteLine("usage: crash <sqlite|postgres> <database> <redis> <prefix> <id> <text>");
    return 2;
}

var killer = new KillAfterCommit();
var services = OutboxApp.Add(new ServiceCollection(), args[1], args[2], args[3], args[4], killer);
await using var provider = services.BuildServiceProvider();
var id = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
var chain = provider.GetRequiredService<ChainedStore>();
var cached = await chain.GetAsync<Note, int>(id);
Console.Out.WriteLine($"cached: {cached?.Text}");

await using var context = await provider.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync();
var note = await context.Notes.SingleAsync(n => n.Id == id);
note.Text = args[6];
killer.Armed = true;
await context.SaveChangesAsync();
Console.Out.WriteLine("not killed");
return 0;
