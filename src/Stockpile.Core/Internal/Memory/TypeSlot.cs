namespace Stockpile.Internal.Memory;

/// <summary>A small integer per CLR type, so a store finds a type's view by array index on its hot path.</summary>
internal static class TypeSlot
{
    private static int s_next = -1;

    public static int Next() => Interlocked.Increment(ref s_next);
}

/// <summary>The slot of <typeparamref name="T"/>.</summary>
internal static class TypeSlot<T>
{
    public static readonly int Index = TypeSlot.Next();
}
