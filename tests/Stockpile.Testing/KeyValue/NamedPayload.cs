namespace Stockpile.Testing.KeyValue;

/// <summary>
/// Builds an object's stored bytes in the named form by hand: <c>'V'</c>, the length of the type's canonical name (2
/// bytes, big-endian), the name, then the serializer's bytes. Every object was stored so before issue 9's short form;
/// an object whose primary key is declared on a base type still is.
/// </summary>
public static class NamedPayload
{
    /// <summary>The named form of <paramref name="json"/> as an object of <paramref name="type"/>.</summary>
    public static byte[] Of(Type type, ReadOnlySpan<byte> json)
    {
        var name = Internal.TypeNames.CanonicalUtf8(type);
        return [(byte)'V', (byte)(name.Length >> 8), (byte)name.Length, .. name, .. json];
    }
}
