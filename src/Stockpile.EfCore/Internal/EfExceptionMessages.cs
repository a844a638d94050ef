namespace Stockpile.Internal;

/// <summary>Builds every exception message of Stockpile.EfCore in one place, so they read alike.</summary>
internal static class EfExceptionMessages
{
    public static string Mapping(Type entityType, Type contextType, string? keyName, string reason) =>
        keyName is null
            ? $"Stockpile cannot use entity type '{TypeNames.Display(entityType)}' with DbContext '{TypeNames.Display(contextType)}': {reason}"
            : $"Stockpile cannot use entity type '{TypeNames.Display(entityType)}' with DbContext '{TypeNames.Display(contextType)}', key '{keyName}': {reason}";

    public static string ValueNotStorable(EntityKey key, string property, string reason) =>
        $"key {key}: property '{property}' {reason}. Nothing was written.";

    public static string NotMapped => "the type is not mapped in the context's model. Add it to the model (a DbSet property or modelBuilder.Entity<T>()), or keep it out of this store.";

    public static string NonUnique(EntityKey key) =>
        $"Stockpile found more than one '{TypeNames.Display(key.EntityType.ClrType)}' row for one look-up by key '{key.Key.Name}', which must be unique. "
        + "Create the unique index the model declares (or fix the data): a cache cannot tell which row the key means.";

    public static string QueryNotIntercepted(Type elementType) =>
        $"Stockpile cannot cache a query of '{TypeNames.Display(elementType)}': it does not come from a DbContext with the Stockpile interceptor. "
        + "Add AddStockpileInterceptor(...) to the context's options.";

    public static string CachedQueryTracked(Type elementType) =>
        $"Stockpile cannot cache a tracking query of '{TypeNames.Display(elementType)}': cached queries return untracked entities. "
        + "Remove AsTracking(), or remove Cached() to track what the query returns.";

    public static string CachedQueryNode(System.Linq.Expressions.Expression node) =>
        $"Stockpile cannot make a cache key for a query holding '{node}' ({node.GetType().Name}): it cannot read the values it uses. Remove Cached() from this query.";

    public static string CompiledQueryCaptured(Type elementType, System.Linq.Expressions.Expression node) =>
        $"Stockpile cannot compile a cached query of '{TypeNames.Display(elementType)}' that reads '{node}' from a variable: its value could change after compilation, and the key would not see it. "
        + "Make it a parameter of the query's lambda.";

    public static string CompiledQueryRows(Type resultType) =>
        $"Stockpile cannot compile a query returning '{TypeNames.Display(resultType)}' as a scalar query: it returns rows. Compile it with StockpileQuery.CompileAsyncQuery, whose delegate gives the list of rows.";

    public static string CompiledQueryMarked(Type elementType) =>
        $"Stockpile cannot compile a cached query of '{TypeNames.Display(elementType)}' that calls Cached(): a compiled cached query is cached already. "
        + "Remove Cached() from the expression, and pass the options to CompileAsyncQuery.";

    public static string CachedQueryValue(Type valueType) =>
        $"Stockpile cannot make a cache key from a query parameter of type '{TypeNames.Display(valueType)}': only primitives, strings, enums, dates, Guids, byte arrays, records and sequences of these are read. "
        + "Pass the value's key (an id) instead, or remove Cached() from this query.";

    public static string NoQueryCache(string? name) =>
        name is null
            ? "Stockpile has no cache for cached queries: register one (services.AddStockpile().AddCache() or .AddRedisCache()) or set StockpileInterceptorOptions.QueryCache."
            : $"Stockpile has no cache named '{name}' for cached queries: register it with AddCache(\"{name}\") or AddRedisCache(\"{name}\").";

    public static string OutboxNotInModel(Type contextType) =>
        $"Stockpile's invalidation outbox is on, but DbContext '{TypeNames.Display(contextType)}' has no outbox table in its model. "
        + "Call modelBuilder.AddStockpileOutbox() in its OnModelCreating and add a migration that creates the table, or turn the outbox off.";

    public static string OutboxStoreWithoutInterceptor(Type contextType) =>
        $"Stockpile's invalidation outbox is on, but the chain's EfCoreStore<{TypeNames.Display(contextType)}> makes its contexts without the Stockpile interceptor, so the chain's own writes through it would get no outbox row. "
        + "Give the store contexts made from options with AddStockpileInterceptor(() => chain, o => o.UseOutbox = true) (the chain is asked for at the first save, so it may be made after them), or turn the outbox off.";
}
