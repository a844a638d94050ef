namespace Stockpile.Internal.Caching;

/// <summary>A tag and the version it had when a value was written: the value is gone once the tag's version moves on.</summary>
internal readonly record struct TagStamp(string Tag, long Version);
