namespace Stockpile.Internal.Tags;

/// <summary>The tags of one entity type, computed from an entity when it is written to a cache tier (never on a read).</summary>
internal sealed class EntityTagSelector(StockpileEntityType entityType, Func<object, IEnumerable<string>?> select)
{
    /// <summary>The entity's tags, distinct; <see langword="null"/> when it has none (so a tier keeps nothing for it).</summary>
    /// <exception cref="InvalidOperationException">The selector failed, or returned an empty tag.</exception>
    public string[]? TagsOf(object entity)
    {
        IEnumerable<string>? selected;
        try
        {
            selected = select(entity);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(ExceptionMessages.Tag(entityType.ClrType, KeyOf(entity), $"its tag selector threw {ex.GetType().Name}: {ex.Message}"), ex);
        }

        if (selected is null)
        {
            return null;
        }

        string[]? tags = null;
        var count = 0;
        foreach (var tag in selected)
        {
            if (string.IsNullOrEmpty(tag))
            {
                throw new InvalidOperationException(ExceptionMessages.Tag(entityType.ClrType, KeyOf(entity), "its tag selector returned a null or empty tag."));
            }

            if (tags is not null && Array.IndexOf(tags, tag, 0, count) >= 0)
            {
                continue;
            }

            tags ??= new string[selected is ICollection<string> { Count: > 0 } known ? known.Count : 4];
            if (count == tags.Length)
            {
                Array.Resize(ref tags, count * 2);
            }

            tags[count++] = tag;
        }

        return tags is null ? null : count == tags.Length ? tags : tags[..count];
    }

    private static string KeyOf(object entity)
    {
        try
        {
            return EntityKey.FromEntity(entity).ToString();
        }
        catch (StockpileKeyException)
        {
            return "(no primary key value)";
        }
    }
}
