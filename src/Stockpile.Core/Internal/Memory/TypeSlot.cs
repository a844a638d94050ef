namespace Stockpile.Internal.Memory;

/// <summary>A small integer per CLR type, so a store finds a type's view by array index on its hot path.</summary>
internal static class TypeSlot
{
    private static int s_next = -1;

    public static int Next() => Interlocked.Increment(ref s_next);

    /// <summary>The slot of a type known only at run time: the same number <see cref="TypeSlot{T}"/> gives it. Read once per entity type.</summary>
    public static int Of(Type type) =>
        (int)typeof(TypeSlot<>).MakeGenericType(type).GetField(nameof(TypeSlot<object>.Index))!.GetValue(null)!;
}

/// <summary>The slot of <typeparamref name="T"/>.</summary>
internal static class TypeSlot<T>
{
    public static readonly int Index = TypeSlot.Next();
}
