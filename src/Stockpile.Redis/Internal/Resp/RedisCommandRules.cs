using System.Collections.Frozen;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// Guards the shared connection: commands that would change its state for every other caller are refused, and
/// a transaction must open and close within one batch.
/// </summary>
internal static class RedisCommandRules
{
    // SELECT would move every caller to another database; the subscribe family and MONITOR would turn the socket
    // into a push stream; QUIT, RESET and HELLO would end it or change its protocol; WATCH cannot be scoped to a caller.
    private static readonly FrozenSet<string> Refused = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "SELECT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "MONITOR", "QUIT", "RESET", "HELLO", "AUTH", "WATCH", "UNWATCH");

    /// <summary>Checks a command sent on its own.</summary>
    /// <exception cref="ArgumentException">The command is refused on a shared connection, or opens/closes a transaction.</exception>
    public static void EnsureAllowed(in RedisCommand command)
    {
        EnsureNotRefused(command);
        if (IsTransactionCommand(command.Name))
        {
            throw new ArgumentException(ExceptionMessages.TransactionOutsideBatch(command.Name), nameof(command));
        }
    }

    /// <summary>Checks a batch: no refused command, and every MULTI closed by EXEC or DISCARD in the same batch.</summary>
    /// <exception cref="ArgumentException">The batch breaks a rule.</exception>
    public static void EnsureAllowed(IReadOnlyList<RedisCommand> commands)
    {
        var inTransaction = false;
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            EnsureNotRefused(command);
            if (Is(command, "MULTI"))
            {
                inTransaction = !inTransaction
                    ? true
                    : throw new ArgumentException(ExceptionMessages.TransactionNested, nameof(commands));
            }
            else if (Is(command, "EXEC") || Is(command, "DISCARD"))
            {
                inTransaction = inTransaction
                    ? false
                    : throw new ArgumentException(ExceptionMessages.TransactionOutsideBatch(command.Name), nameof(commands));
            }
        }

        if (inTransaction)
        {
            throw new ArgumentException(ExceptionMessages.TransactionUnclosed, nameof(commands));
        }
    }

    private static void EnsureNotRefused(in RedisCommand command)
    {
        if (command.Name is null)
        {
            throw new ArgumentException(ExceptionMessages.CommandEmpty, nameof(command));
        }

        if (Refused.Contains(command.Name))
        {
            throw new ArgumentException(ExceptionMessages.CommandRefused(command.Name), nameof(command));
        }
    }

    private static bool IsTransactionCommand(string name) =>
        name.Equals("MULTI", StringComparison.OrdinalIgnoreCase)
        || name.Equals("EXEC", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DISCARD", StringComparison.OrdinalIgnoreCase);

    private static bool Is(in RedisCommand command, string name) => command.Name.Equals(name, StringComparison.OrdinalIgnoreCase);
}
