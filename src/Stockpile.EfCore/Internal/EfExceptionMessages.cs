namespace Stockpile.Internal;

/// <summary>Builds every exception message of Stockpile.EfCore in one place, so they read alike.</summary>
internal static class EfExceptionMessages
{
    public static string Mapping(Type entityType, Type contextType, string? keyName, string reason) =>
        keyName is null
            ? $"Stockpile cannot use entity type '{TypeNames.Display(entityType)}' with DbContext '{TypeNames.Display(contextType)}': {reason}"
            : $"Stockpile cannot use entity type '{TypeNames.Display(entityType)}' with DbContext '{TypeNames.Display(contextType)}', key '{keyName}': {reason}";

    public static string NotMapped => "the type is not mapped in the context's model. Add it to the model (a DbSet property or modelBuilder.Entity<T>()), or keep it out of this store.";

    public static string NonUnique(EntityKey key) =>
        $"Stockpile found more than one '{TypeNames.Display(key.EntityType.ClrType)}' row for one look-up by key '{key.Key.Name}', which must be unique. "
        + "Create the unique index the model declares (or fix the data): a cache cannot tell which row the key means.";
}
