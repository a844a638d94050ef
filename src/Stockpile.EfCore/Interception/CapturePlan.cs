using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stockpile.Internal;

/// <summary>
/// What the capture of a changed entity reads, worked out once per EF entity type: the model properties of each of
/// its Stockpile keys, the properties a whole-row update must write, and whether the save itself may change a key's
/// values (store-generated values). A save then reads values by property, never by name.
/// </summary>
internal sealed class CapturePlan
{
    private static readonly ConditionalWeakTable<IEntityType, CapturePlan> s_plans = new();

    private CapturePlan(IEntityType model, StockpileEntityType entityType)
    {
        EntityType = entityType;
        KeyProperties = [.. entityType.Keys.Select(k => k.Properties.Select(p => model.FindProperty(p.Name)!).ToArray())];
        PrimaryKey = [.. model.FindPrimaryKey()!.Properties];
        RowProperties = [.. model.GetProperties().Where(static p => !p.IsPrimaryKey() && !p.IsShadowProperty() && !p.IsConcurrencyToken)];
        OwnsEntities = model.GetNavigations().Any(static n => n.TargetEntityType.IsOwned());
        var keyProperties = KeyProperties.SelectMany(static k => k).ToArray();
        KeysGeneratedOnAdd = keyProperties.Any(static p => (p.ValueGenerated & ValueGenerated.OnAdd) != 0);
        KeysGeneratedOnUpdate = keyProperties.Any(static p => (p.ValueGenerated & (ValueGenerated.OnUpdate | ValueGenerated.OnUpdateSometimes)) != 0);
        KeysReadOnly = Array.ConvertAll(KeyProperties, static properties => Array.TrueForAll(properties, static p => p.IsKey() && p.GetAfterSaveBehavior() == PropertySaveBehavior.Throw));
    }

    public StockpileEntityType EntityType { get; }

    /// <summary>Gets the model properties of each Stockpile key, in the order of <see cref="StockpileEntityType.Keys"/>.</summary>
    public IProperty[][] KeyProperties { get; }

    /// <summary>Gets the model's primary key properties.</summary>
    public IProperty[] PrimaryKey { get; }

    /// <summary>Gets the properties an update must all write for the tracked values to be the committed row.</summary>
    public IProperty[] RowProperties { get; }

    /// <summary>Gets a value indicating whether the type owns entities (their columns may be written without the owner's).</summary>
    public bool OwnsEntities { get; }

    /// <summary>Gets a value indicating whether an insert may give a key property its value (the database or a value generator).</summary>
    public bool KeysGeneratedOnAdd { get; }

    /// <summary>Gets a value indicating whether an update may give a key property a new value.</summary>
    public bool KeysGeneratedOnUpdate { get; }

    /// <summary>
    /// Gets, per Stockpile key, whether EF Core itself forbids changing its values once the row exists: every property is
    /// part of an EF Core key that throws when modified (its <c>AfterSaveBehavior</c>). EF Core's change detection throws
    /// before the save when such a value changed, so a detected update holds the original values there.
    /// </summary>
    public bool[] KeysReadOnly { get; }

    public static CapturePlan For(IEntityType model, StockpileEntityType entityType)
    {
        // The look-up is split from the making: a lambda capturing entityType would be allocated on every call.
        var plan = s_plans.TryGetValue(model, out var known) ? known : Make(model, entityType);

        // One EF type maps to one Stockpile type; a plan made for another (never expected) is not reused.
        return ReferenceEquals(plan.EntityType, entityType) ? plan : new CapturePlan(model, entityType);
    }

    private static CapturePlan Make(IEntityType model, StockpileEntityType entityType) => s_plans.GetValue(model, m => new CapturePlan(m, entityType));
}
