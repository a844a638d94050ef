using System.Text;

namespace Stockpile.Internal;

/// <summary>The arguments of one call of a compiled cached query, written into its key without boxing.</summary>
internal interface IQueryArguments
{
    void AppendTo(StringBuilder builder);
}
