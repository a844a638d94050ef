using System.Text;

namespace Stockpile.Internal;

// One idea in every arity, as Tuple.cs holds its arities: the arguments of one call of a compiled cached query.

/// <summary>No arguments: a compiled cached query of the context alone.</summary>
internal readonly struct QueryArguments : IQueryArguments
{
    public void AppendTo(StringBuilder builder)
    {
    }
}

/// <summary>The argument of one call of a compiled cached query.</summary>
internal readonly record struct QueryArguments<T1>(T1 Item1) : IQueryArguments
{
    public void AppendTo(StringBuilder builder) => QueryKeyText.Append(builder, Item1);
}

/// <summary>The two arguments of one call of a compiled cached query.</summary>
internal readonly record struct QueryArguments<T1, T2>(T1 Item1, T2 Item2) : IQueryArguments
{
    public void AppendTo(StringBuilder builder)
    {
        QueryKeyText.Append(builder, Item1);
        QueryKeyText.Append(builder, Item2);
    }
}

/// <summary>The three arguments of one call of a compiled cached query.</summary>
internal readonly record struct QueryArguments<T1, T2, T3>(T1 Item1, T2 Item2, T3 Item3) : IQueryArguments
{
    public void AppendTo(StringBuilder builder)
    {
        QueryKeyText.Append(builder, Item1);
        QueryKeyText.Append(builder, Item2);
        QueryKeyText.Append(builder, Item3);
    }
}
