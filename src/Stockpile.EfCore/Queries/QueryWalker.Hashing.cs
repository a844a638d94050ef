using System.Numerics;
using System.Reflection;

namespace Stockpile.Internal;

internal sealed partial class QueryWalker
{
    private void MixType(Type? type)
    {
        if (type is null)
        {
            MixText(1, "~");
            return;
        }

        MixHash((ulong)type.TypeHandle.Value);
        _text?.Append(type.FullName ?? type.Name).Append(';');
    }

    private void MixMethod(MethodBase? method)
    {
        if (method is null)
        {
            MixText(2, "~");
            return;
        }

        MixHash((ulong)method.MethodHandle.Value);
        MixType(method.DeclaringType);
        if (_text is not null)
        {
            _text.Append(method.Name);
            if (method.IsGenericMethod)
            {
                foreach (var argument in method.GetGenericArguments())
                {
                    _text.Append('<').Append(argument.FullName ?? argument.Name).Append('>');
                }
            }

            foreach (var parameter in method.GetParameters())
            {
                _text.Append(',').Append(parameter.ParameterType.FullName ?? parameter.ParameterType.Name);
            }

            _text.Append(';');
        }
    }

    private void MixMember(MemberInfo member)
    {
        MixHash((ulong)member.MetadataToken);
        MixHash((ulong)member.Module.ModuleHandle.GetHashCode());
        MixType(member.DeclaringType);
        _text?.Append(member.Name).Append(';');
    }

    /// <summary>Mixes a value that only means something in this process (a handle); the text gets the name separately.</summary>
    private void MixHash(ulong value)
    {
        Hash1 = BitOperations.RotateLeft((Hash1 ^ value) * 0x9E3779B97F4A7C15, 31);
        Hash2 = (Hash2 + value) * 0xFF51AFD7ED558CCD;
        Hash2 ^= Hash2 >> 29;
    }

    private void MixInt(int value)
    {
        MixHash((ulong)value);
        _text?.Append(value).Append(';');
    }

    private void MixText(ulong value, string text)
    {
        MixHash(value);
        _text?.Append(text).Append(';');
    }
}
