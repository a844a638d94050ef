using System.Collections.Concurrent;
using System.Linq.Expressions;

namespace Stockpile.Internal;

/// <summary>
/// Refuses, before anything is written, an object whose mapped text (a string or char property) holds a lone UTF-16
/// surrogate or a NUL character: the providers write text as UTF-8, where a lone surrogate has no form (SQLite stores
/// U+FFFD instead), and a NUL ends SQLite's text (what follows is lost) and is refused by PostgreSQL; the object read
/// back would differ from the one put, silently (issue 12, torture case 6). The readers of each entity type's text
/// properties are compiled once.
/// </summary>
internal sealed class TextColumns(ModelKeyResolver resolver)
{
    private readonly ConcurrentDictionary<Type, (string Name, Func<object, string?> Read)[]> _readers = new();

    /// <summary>Throws when a text property of <paramref name="item"/> the model maps is not well-formed UTF-16 or holds a NUL.</summary>
    /// <exception cref="StockpileSerializationException">A property holds a lone surrogate or a NUL; the message names the type, key and property.</exception>
    /// <exception cref="StockpileMappingException">The context does not map the object's type.</exception>
    public void Check(object item)
    {
        var type = item.GetType();
        var readers = _readers.TryGetValue(type, out var known) ? known : _readers.GetOrAdd(type, Build);
        foreach (var (name, read) in readers)
        {
            if (read(item) is { } text && (!Utf16Text.IsWellFormed(text) || text.Contains('\0', StringComparison.Ordinal)))
            {
                throw new StockpileSerializationException(type, "store", EfExceptionMessages.TextNotStorable(EntityKey.FromEntity(item), name));
            }
        }
    }

    private (string Name, Func<object, string?> Read)[] Build(Type type)
    {
        var item = Expression.Parameter(typeof(object), "item");
        return [.. resolver.EntityTypeOf(type).GetProperties()
            .Where(static p => (p.ClrType == typeof(string) || p.ClrType == typeof(char)) && p.PropertyInfo is { CanRead: true })
            .Select(p =>
            {
                Expression value = Expression.Property(Expression.Convert(item, p.PropertyInfo!.DeclaringType!), p.PropertyInfo!);
                if (value.Type == typeof(char))
                {
                    value = Expression.Call(value, typeof(char).GetMethod(nameof(char.ToString), Type.EmptyTypes)!);
                }

                return (p.Name, Expression.Lambda<Func<object, string?>>(value, item).Compile());
            })];
    }
}
