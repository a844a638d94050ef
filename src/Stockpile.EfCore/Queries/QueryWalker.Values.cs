using System.Text;

namespace Stockpile.Internal;

internal sealed partial class QueryWalker
{
    /// <summary>Appends the values collected by the walk as key text (<see cref="QueryKeyText"/>).</summary>
    /// <exception cref="NotSupportedException">A value of a type the key cannot hold (the message names it).</exception>
    public void AppendValues(StringBuilder builder)
    {
        foreach (var value in _values)
        {
            QueryKeyText.Append(builder, value);
        }
    }
}
