namespace Stockpile.Internal;

/// <summary>The context types whose commits write outbox rows (one registration per <c>AddOutbox&lt;TContext&gt;()</c>).</summary>
internal sealed class OutboxRegistry(IEnumerable<OutboxRegistration> registrations)
{
    private readonly HashSet<Type> _contexts = [.. registrations.Select(static r => r.ContextType)];

    /// <summary>Whether the outbox is on for a context type (or a type it derives from).</summary>
    public bool IsOn(Type contextType)
    {
        for (var type = contextType; type is not null; type = type.BaseType)
        {
            if (_contexts.Contains(type))
            {
                return true;
            }
        }

        return false;
    }
}
