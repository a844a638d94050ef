using System.Reflection;
using System.Reflection.Emit;

namespace Stockpile.Tests.Fakes;

/// <summary>
/// Emits entity types into assemblies of their own at run time, so a test can hold two types with one full name (the
/// situation of two plug-ins, or two services' copies of a contract assembly, in one process).
/// </summary>
public static class TwinTypes
{
    /// <summary>Emits a public sealed class with an <c>int Id</c> primary key, a <c>string Sku</c> alternate key and a <c>string Name</c>.</summary>
    /// <param name="assemblyName">The simple name of the new assembly; each call makes a new assembly, even for a name already used.</param>
    /// <param name="fullName">The class's namespace-qualified name.</param>
    /// <param name="classAttributes">Attributes to put on the class.</param>
    public static Type Emit(string assemblyName, string fullName, params CustomAttributeBuilder[] classAttributes)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName(assemblyName), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule(assemblyName);
        var type = module.DefineType(fullName, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        foreach (var attribute in classAttributes)
        {
            type.SetCustomAttribute(attribute);
        }

        type.DefineDefaultConstructor(MethodAttributes.Public);
        var key = new CustomAttributeBuilder(typeof(StockpileKeyAttribute).GetConstructor(Type.EmptyTypes)!, []);
        Property(type, "Id", typeof(int), key);
        Property(type, "Sku", typeof(string), key);
        Property(type, "Name", typeof(string), null);
        return type.CreateType();
    }

    /// <summary>A unique assembly name, so tests never collide with each other in the process-wide type registry.</summary>
    public static string UniqueAssemblyName(string stem) => $"{stem}.{Guid.NewGuid():N}";

    /// <summary>Makes an instance of an emitted type.</summary>
    public static object New(Type type, int id, string sku, string name)
    {
        var item = Activator.CreateInstance(type)!;
        type.GetProperty("Id")!.SetValue(item, id);
        type.GetProperty("Sku")!.SetValue(item, sku);
        type.GetProperty("Name")!.SetValue(item, name);
        return item;
    }

    public static string NameOf(object item) => (string)item.GetType().GetProperty("Name")!.GetValue(item)!;

    private static void Property(TypeBuilder type, string name, Type propertyType, CustomAttributeBuilder? attribute)
    {
        var field = type.DefineField("_" + name, propertyType, FieldAttributes.Private);
        var property = type.DefineProperty(name, PropertyAttributes.None, propertyType, null);
        const MethodAttributes accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;

        var get = type.DefineMethod("get_" + name, accessor, propertyType, Type.EmptyTypes);
        var il = get.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);

        var set = type.DefineMethod("set_" + name, accessor, null, [propertyType]);
        il = set.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);

        property.SetGetMethod(get);
        property.SetSetMethod(set);
        if (attribute is not null)
        {
            property.SetCustomAttribute(attribute);
        }
    }
}
