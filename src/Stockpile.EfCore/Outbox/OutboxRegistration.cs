namespace Stockpile.Internal;

/// <summary>The outbox turned on for one context type.</summary>
internal sealed record OutboxRegistration(Type ContextType);
