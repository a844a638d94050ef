namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>The other end of <see cref="Shelf"/>'s lazily loaded navigation; not cached.</summary>
public class Book
{
    public int Id { get; set; }

    public int ShelfId { get; set; }

    public virtual Shelf? Shelf { get; set; }

    public string Title { get; set; } = "";
}
