namespace Stockpile;

/// <summary>What a tier's read for a <see cref="ChainedStore"/> found, with what the tier's back-fill will need: its lease.</summary>
/// <typeparam name="T">What was read: an object, or one result per look-up.</typeparam>
/// <param name="Value">What the read found; <see langword="null"/> for a miss.</param>
/// <param name="Lease">
/// What the store wants back when the chain back-fills it after this read (the Redis store: when the read took place),
/// or <see langword="null"/>. Opaque to the chain, which hands it to <see cref="ObjectStore.BackfillCoreAsync"/> unchanged.
/// </param>
/// <remarks>It travels as a value, never in ambient state: two reads of one key at once each carry their own.</remarks>
public readonly record struct TierRead<T>(T Value, object? Lease);
