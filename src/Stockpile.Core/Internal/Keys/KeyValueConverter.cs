namespace Stockpile.Internal.Keys;

/// <summary>
/// Turns a key property of a type Stockpile cannot encode (a strongly typed id, say <c>record struct OrderId(Guid Value)</c>)
/// into a value it can, and back: the way an O/RM's value converter maps it to a column. Look-ups hold the property's
/// own values; only the canonical encoding uses the converted one.
/// </summary>
/// <param name="CanonicalType">The type of the converted value; one of the supported key value types.</param>
/// <param name="ToCanonical">Converts a property value to the canonical value.</param>
/// <param name="FromCanonical">Converts a canonical value back to a property value.</param>
internal sealed record KeyValueConverter(Type CanonicalType, Func<object, object> ToCanonical, Func<object, object> FromCanonical);
