namespace Stockpile.Testing.CrashApp;

/// <summary>The entity the outbox tests change: cached by id and by its unique code.</summary>
public class Note
{
    [StockpileKey]
    public int Id { get; set; }

    [StockpileKey]
    public string Code { get; set; } = "";

    public string Text { get; set; } = "";
}
