using System.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile;
using Stockpile.Testing.CrashApp;

// Usage: <mode> <sqlite|postgres> <database connection string> <redis configuration> <key prefix> <note id> <new text>
// Reads the note through the chain (so Redis holds it), then changes it and is killed right after COMMIT, before
// Stockpile evicts (or, for a chain's write, before the chain writes Redis). Modes:
//   crash        SaveChanges, killed by a transaction interceptor after its commit
//   crash-scope  SaveChanges inside a TransactionScope, killed when the scope's transaction has committed
//   crash-put    the chain's PutAsync through the EF Core store, killed once the store's save has committed
//   crash-scope-put  the same PutAsync made inside a TransactionScope (the store's save commits on its own)
// Exits 0 only if it was not killed (a failure of the test's premise).
if (args.Length != 7 || args[0] is not ("crash" or "crash-scope" or "crash-put" or "crash-scope-put"))
{
    Console.Error.WriteLine("usage: <crash|crash-scope|crash-put|crash-scope-put> <sqlite|postgres> <database> <redis> <prefix> <id> <text>");
    return 2;
}

var mode = args[0];
var killer = new KillAfterCommit();
var saveKiller = new KillAfterSave();
var services = OutboxApp.Add(new ServiceCollection(), args[1], args[2], args[3], args[4], mode is "crash-put" or "crash-scope-put" ? saveKiller : killer);
await using var provider = services.BuildServiceProvider();
var id = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
var chain = provider.GetRequiredService<ChainedStore>();
var cached = await chain.GetAsync<Note, int>(id);

// The chain back-fills Redis after answering (the default): the premise is that Redis holds the note before the change.
for (var tries = 0; tries < 1000 && await chain.Tiers[1].GetAsync<Note, int>(id) is null; tries++)
{
    await Task.Delay(10);
}

Console.Out.WriteLine($"cached: {cached?.Text}");

if (mode is "crash-put" or "crash-scope-put")
{
    using var ambient = mode == "crash-scope-put" ? new TransactionScope(TransactionScopeAsyncFlowOption.Enabled) : null;
    saveKiller.Armed = true;
    await chain.PutAsync(new Note { Id = id, Code = cached!.Code, Text = args[6] });
    ambient?.Complete();
    Console.Out.WriteLine("not killed");
    return 0;
}

var scope = mode == "crash-scope" ? new TransactionScope(TransactionScopeAsyncFlowOption.Enabled) : null;
if (scope is not null)
{
    // Subscribed before the save, so before Stockpile's handler: it runs first once the scope's transaction committed.
    Transaction.Current!.TransactionCompleted += static (_, e) =>
    {
        if (e.Transaction!.TransactionInformation.Status == TransactionStatus.Committed)
        {
            KillAfterCommit.KillNow();
        }
    };
}

await using (var context = await provider.GetRequiredService<IDbContextFactory<NoteDbContext>>().CreateDbContextAsync())
{
    var note = await context.Notes.SingleAsync(n => n.Id == id);
    note.Text = args[6];
    killer.Armed = scope is null;
    await context.SaveChangesAsync();
}

scope?.Complete();
scope?.Dispose(); // the commit: the handler above kills the process here
Console.Out.WriteLine("not killed");
return 0;
