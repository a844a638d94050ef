namespace Stockpile.Internal.Keys;

/// <summary>The property types a key may be made of, and the conversion of lookup values to them.</summary>
internal static class KeyValueTypes
{
    private static readonly HashSet<Type> s_supported =
    [
        typeof(string), typeof(Guid), typeof(bool), typeof(char), typeof(decimal),
        typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly),
    ];

    public static bool IsSupported(Type valueType) => valueType.IsEnum || s_supported.Contains(valueType);

    public static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong);

    /// <summary>
    /// Converts a lookup value to the key property's type: exact types pass, integers convert when they fit, an enum's
    /// underlying integer converts to the enum. Anything else is refused.
    /// </summary>
    public static bool TryNormalize(object value, Type valueType, out object normalized)
    {
        var type = value.GetType();
        if (type == valueType)
        {
            normalized = value;
            return true;
        }

        normalized = value;
        var target = valueType.IsEnum ? Enum.GetUnderlyingType(valueType) : valueType;
        if (!IsInteger(type) || !IsInteger(target))
        {
            return false;
        }

        try
        {
            var converted = Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
            normalized = valueType.IsEnum ? Enum.ToObject(valueType, converted) : converted;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
