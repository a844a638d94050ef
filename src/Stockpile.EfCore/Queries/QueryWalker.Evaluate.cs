using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

internal sealed partial class QueryWalker
{
    private static readonly ConcurrentDictionary<MemberInfo, Func<object?, object?>> s_getters = new();

    /// <summary>
    /// The value of a sub-expression that needs no lambda parameter: what EF Core would evaluate on the client and send as
    /// a parameter. Closure variables and static members are read through getters compiled once per member; calls on
    /// such values (rare: <c>name.ToUpper()</c>) are invoked. Query operators are never evaluated.
    /// </summary>
    private static bool TryEvaluate(Expression? node, out object? value)
    {
        value = null;
        switch (node)
        {
            case ConstantExpression constant:
                value = constant.Value;
                return true;
            case MemberExpression member when member.Member is FieldInfo or PropertyInfo && member.Member.DeclaringType != typeof(EF):
                object? target = null;
                if (member.Expression is not null && (!TryEvaluate(member.Expression, out target) || target is null))
                {
                    return false;
                }

                value = GetterOf(member.Member)(target);
                return true;
            case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Method: null } convert:
                return TryEvaluate(convert.Operand, out value);
            case MethodCallExpression call when MayInvoke(call.Method):
                object? instance = null;
                if (call.Object is not null && (!TryEvaluate(call.Object, out instance) || instance is null))
                {
                    return false;
                }

                var arguments = call.Arguments.Count == 0 ? [] : new object?[call.Arguments.Count];
                for (var i = 0; i < arguments.Length; i++)
                {
                    if (!TryEvaluate(call.Arguments[i], out arguments[i]) || arguments[i] is IQueryable)
                    {
                        return false;
                    }
                }

                value = call.Method.Invoke(instance, arguments);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether a call may run on the client: never a query operator, nor EF Core's markers (<c>EF.Constant</c>, <c>EF.Functions</c>).</summary>
    private static bool MayInvoke(MethodInfo method) =>
        method.DeclaringType is { } declaring
        && declaring != typeof(Queryable) && declaring != typeof(EF) && declaring != typeof(EntityFrameworkQueryableExtensions)
        && declaring.Namespace?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) != true
        && !typeof(IQueryable).IsAssignableFrom(method.ReturnType)
        && method.ReturnType != typeof(void);

    private static Func<object?, object?> GetterOf(MemberInfo member) => s_getters.GetOrAdd(member, static m =>
    {
        var target = Expression.Parameter(typeof(object), "target");
        var declaring = m.DeclaringType!;
        var isStatic = m is FieldInfo { IsStatic: true } || (m is PropertyInfo property && property.GetMethod?.IsStatic == true);
        var instance = isStatic ? null : Expression.Convert(target, declaring);
        var read = Expression.MakeMemberAccess(instance, m);
        return Expression.Lambda<Func<object?, object?>>(Expression.Convert(read, typeof(object)), target).Compile();
    });
}
