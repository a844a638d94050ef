using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;

namespace Stockpile.Internal;

/// <summary>
/// Walks a query expression once: mixes its shape into a 128-bit hash (and, when asked, writes it as text) and collects
/// the values EF Core would send as parameters. A sub-expression that needs no lambda parameter (a closure variable, a
/// static member, a call on such values) is a value; a captured <see cref="IQueryable"/> is walked as part of the shape.
/// </summary>
internal sealed partial class QueryWalker
{
    private readonly List<object?> _values = [];
    private StringBuilder? _text;

    public ulong Hash1 { get; private set; }

    public ulong Hash2 { get; private set; }

    /// <summary>Gets the first value read from a variable (a closure's, a static member, a call on one) rather than written in the query; <see langword="null"/> when none.</summary>
    public Expression? Captured { get; private set; }

    public void Reset(StringBuilder? text)
    {
        _text = text;
        _values.Clear();
        Captured = null;
        Hash1 = 0x9E3779B97F4A7C15;
        Hash2 = 0xC2B2AE3D27D4EB4F;
    }

    public void Walk(Expression? node)
    {
        if (node is null)
        {
            MixText(0, "~");
            return;
        }

        MixInt((int)node.NodeType + 1);
        switch (node)
        {
            case MethodCallExpression call:
                WalkCall(call);
                break;
            case MemberExpression member:
                if (TryEvaluate(member, out var value))
                {
                    Captured ??= member;
                    Value(member.Type, value);
                }
                else
                {
                    MixMember(member.Member);
                    Walk(member.Expression);
                }

                break;
            case ConstantExpression constant:
                Value(constant.Type, constant.Value);
                break;
            case ParameterExpression parameter:
                MixType(parameter.Type);
                MixText((ulong)(parameter.Name?.Length ?? 0), parameter.Name ?? "~");
                break;
            case LambdaExpression lambda:
                MixInt(lambda.Parameters.Count);
                foreach (var parameter in lambda.Parameters)
                {
                    Walk(parameter);
                }

                Walk(lambda.Body);
                break;
            case UnaryExpression unary:
                MixType(unary.Type);
                MixMethod(unary.Method);
                Walk(unary.Operand);
                break;
            case BinaryExpression binary:
                MixMethod(binary.Method);
                Walk(binary.Left);
                Walk(binary.Right);
                Walk(binary.Conversion);
                break;
            case ConditionalExpression conditional:
                MixType(conditional.Type);
                Walk(conditional.Test);
                Walk(conditional.IfTrue);
                Walk(conditional.IfFalse);
                break;
            case NewExpression @new:
                WalkNew(@new);
                break;
            case MemberInitExpression init:
                WalkNew(init.NewExpression);
                WalkBindings(init.Bindings);
                break;
            case ListInitExpression list:
                WalkNew(list.NewExpression);
                WalkInitializers(list.Initializers);
                break;
            case NewArrayExpression array:
                MixType(array.Type);
                WalkAll(array.Expressions);
                break;
            case TypeBinaryExpression typeBinary:
                MixType(typeBinary.TypeOperand);
                Walk(typeBinary.Expression);
                break;
            case InvocationExpression invocation:
                Walk(invocation.Expression);
                WalkAll(invocation.Arguments);
                break;
            case DefaultExpression:
                MixType(node.Type);
                break;
            case QueryRootExpression root:
                WalkRoot(root);
                break;
            default:
                throw new NotSupportedException(EfExceptionMessages.CachedQueryNode(node));
        }
    }

    private void WalkCall(MethodCallExpression call)
    {
        if (CachedQueryMarker.IsMarker(call.Method))
        {
            // The options say where and how long to keep the result, not what it is.
            Walk(call.Arguments[0]);
            return;
        }

        if (TryEvaluate(call, out var value))
        {
            Captured ??= call;
            Value(call.Type, value);
            return;
        }

        MixMethod(call.Method);
        Walk(call.Object);
        WalkAll(call.Arguments);
    }

#pragma warning disable EF1001 // FromSqlQueryRootExpression: its SQL and arguments are part of the key.
    private void WalkRoot(QueryRootExpression root)
    {
        MixType(root.GetType());
        switch (root)
        {
            case FromSqlQueryRootExpression sql:
                MixEntity(sql);
                Value(typeof(string), sql.Sql);
                Walk(sql.Argument);
                break;
            case EntityQueryRootExpression entity when root.GetType() == typeof(EntityQueryRootExpression):
                MixEntity(entity);
                break;
            default:
                // Other roots (temporal, table-valued functions, inline collections) carry arguments this walk cannot read.
                throw new NotSupportedException(EfExceptionMessages.CachedQueryNode(root));
        }
    }

#pragma warning restore EF1001

    /// <summary>The entity type itself, not only its CLR type: shared-type entities differ by name, models of other contexts by instance.</summary>
    private void MixEntity(EntityQueryRootExpression root)
    {
        MixHash((ulong)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(root.EntityType));
        MixText(0, root.EntityType.Name);
    }

    private void WalkNew(NewExpression @new)
    {
        MixType(@new.Type);
        MixMethod(@new.Constructor);
        if (@new.Members is { } members)
        {
            foreach (var member in members)
            {
                MixMember(member);
            }
        }

        WalkAll(@new.Arguments);
    }

    private void WalkBindings(IReadOnlyList<MemberBinding> bindings)
    {
        foreach (var binding in bindings)
        {
            MixInt((int)binding.BindingType + 1);
            MixMember(binding.Member);
            switch (binding)
            {
                case MemberAssignment assignment:
                    Walk(assignment.Expression);
                    break;
                case MemberMemberBinding member:
                    WalkBindings(member.Bindings);
                    break;
                case MemberListBinding list:
                    WalkInitializers(list.Initializers);
                    break;
            }
        }
    }

    private void WalkInitializers(IReadOnlyList<ElementInit> initializers)
    {
        foreach (var initializer in initializers)
        {
            MixMethod(initializer.AddMethod);
            WalkAll(initializer.Arguments);
        }
    }

    private void WalkAll(System.Collections.ObjectModel.ReadOnlyCollection<Expression> nodes)
    {
        MixInt(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            Walk(nodes[i]);
        }
    }

    /// <summary>A value EF Core sends as a parameter; a captured query is walked as part of the shape instead.</summary>
    private void Value(Type type, object? value)
    {
        if (value is IQueryable query)
        {
            Walk(query.Expression);
            return;
        }

        MixType(type);
        MixText(0x5EED, "?");
        if (_text is null)
        {
            _values.Add(value);
        }
    }
}
