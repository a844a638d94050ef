using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Stockpile.Internal;

internal sealed partial class BulkKeyPlan
{
    /// <summary>
    /// Reads the plan of an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> query: <see langword="null"/> unless the statement
    /// targets one cached entity type through nothing but <c>Where</c> filters, a conjunct of them pins every property of
    /// one of its keys to constants or parameters (<c>==</c>, or <c>Contains</c> for a single-property key), and no
    /// setter touches a key property. Anything else keeps the whole-type drop.
    /// </summary>
    public static BulkKeyPlan? Analyze(MethodCallExpression statement)
    {
        var source = statement.Arguments[0];
        var predicates = new List<LambdaExpression>();
        while (source is MethodCallExpression { Method.Name: nameof(Queryable.Where), Arguments: [var inner, var filter] } where
               && where.Method.DeclaringType == typeof(Queryable)
               && Unquote(filter) is { Parameters.Count: 1 } lambda)
        {
            predicates.Add(lambda);
            source = inner;
        }

        if (source is not EntityQueryRootExpression root || predicates.Count == 0)
        {
            return null;
        }

        var pinned = new Dictionary<string, KeyValueSource>(StringComparer.Ordinal);
        foreach (var lambda in predicates)
        {
            Pin(lambda.Body, lambda.Parameters[0], pinned);
        }

        foreach (var name in pinned.Keys.Where(n => !Plain(root.EntityType, n)).ToArray())
        {
            pinned.Remove(name);
        }

        if (pinned.Count == 0)
        {
            return null;
        }

        var parameters = new HashSet<string>(StringComparer.Ordinal);
        new ParameterNames(parameters).Visit(statement);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var finder = new RowMemberFinder(root.EntityType.ClrType, touched);
        foreach (var setters in statement.Arguments.Skip(1))
        {
            finder.Visit(setters);
        }

        return new BulkKeyPlan(root.EntityType.ClrType, pinned, touched, [.. parameters], finder.Opaque);
    }

    /// <summary>A key property mapped to a column as it is: no value converter between the CLR value and the parameter.</summary>
    private static bool Plain(IEntityType entityType, string property) =>
        entityType.FindProperty(property) is { } mapped && mapped.GetValueConverter() is null && mapped.GetTypeMapping().Converter is null;

    private static LambdaExpression? Unquote(Expression expression) => expression switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote, Operand: LambdaExpression lambda } => lambda,
        LambdaExpression lambda => lambda,
        _ => null,
    };

    /// <summary>Records the key-shaped terms of a conjunct; any other term only narrows the rows and is ignored.</summary>
    private static void Pin(Expression body, ParameterExpression row, Dictionary<string, KeyValueSource> pinned)
    {
        switch (body)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                Pin(and.Left, row, pinned);
                Pin(and.Right, row, pinned);
                break;
            case BinaryExpression { NodeType: ExpressionType.Equal } equal:
                if (PropertyOf(equal.Left, row) is { } left && Scalar(equal.Right) is { } right)
                {
                    pinned[left] = right;
                }
                else if (PropertyOf(equal.Right, row) is { } rightProperty && Scalar(equal.Left) is { } leftValue)
                {
                    pinned[rightProperty] = leftValue;
                }

                break;
            case MethodCallExpression { Method.Name: nameof(Enumerable.Contains) } call:
                var (collection, item) = call switch
                {
                    { Object: null, Arguments: [var c, var i] } => (c, i),
                    { Object: { } c, Arguments: [var i] } => (c, i),
                    _ => (null, null),
                };
                if (collection is not null && PropertyOf(item!, row) is { } property && Set(collection) is { } set)
                {
                    pinned[property] = set;
                }

                break;
        }
    }

    /// <summary>The name of the row's own property the expression reads (through a nullable conversion at most).</summary>
    private static string? PropertyOf(Expression expression, ParameterExpression row) => StripConvert(expression) switch
    {
        MemberExpression { Member: PropertyInfo property } member when member.Expression == row => property.Name,
        MethodCallExpression { Method.Name: nameof(EF.Property), Arguments: [var instance, ConstantExpression { Value: string name }] } call
            when call.Method.DeclaringType == typeof(EF) && instance == row => name,
        _ => null,
    };

    private static KeyValueSource? Scalar(Expression expression) => StripConvert(expression) switch
    {
        ConstantExpression { Value: { } value } => new KeyValueSource(null, [value], false),
        QueryParameterExpression parameter => new KeyValueSource(parameter.Name, [], false),
        _ => null,
    };

    private static KeyValueSource? Set(Expression expression) => StripConvert(expression) switch
    {
        ConstantExpression { Value: System.Collections.IEnumerable values and not string } => new KeyValueSource(null, [.. values.Cast<object?>()], true),
        NewArrayExpression { NodeType: ExpressionType.NewArrayInit } array when array.Expressions.All(static e => e is ConstantExpression) =>
            new KeyValueSource(null, [.. array.Expressions.Select(static e => ((ConstantExpression)e).Value)], true),
        QueryParameterExpression parameter => new KeyValueSource(parameter.Name, [], true),
        _ => null,
    };

    /// <summary>Removes conversions (nullable lifting, the implicit array-to-span of C# 14) that leave the value as it is.</summary>
    private static Expression StripConvert(Expression expression)
    {
        while (true)
        {
            switch (expression)
            {
                case UnaryExpression { NodeType: ExpressionType.Convert } convert
                    when (Nullable.GetUnderlyingType(convert.Type) ?? convert.Type) == (Nullable.GetUnderlyingType(convert.Operand.Type) ?? convert.Operand.Type)
                         || convert.Type.IsAssignableFrom(convert.Operand.Type):
                    expression = convert.Operand;
                    break;
                case MethodCallExpression { Method.Name: "op_Implicit", Arguments: [var operand] }:
                    expression = operand;
                    break;
                default:
                    return expression;
            }
        }
    }

    /// <summary>Collects the row's properties the setters name (read or written); a changed key would leave the new one stale.</summary>
    private sealed class RowMemberFinder(Type rowType, HashSet<string> touched) : ExpressionVisitor
    {
        /// <summary>Gets a value indicating whether the setters held something this reader cannot see into.</summary>
        public bool Opaque { get; private set; }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression is ParameterExpression p && p.Type == rowType)
            {
                touched.Add(node.Member.Name);
            }

            return base.VisitMember(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.Name == nameof(EF.Property) && node.Method.DeclaringType == typeof(EF))
            {
                if (node.Arguments is [ParameterExpression p, ConstantExpression { Value: string name }] && p.Type == rowType)
                {
                    touched.Add(name);
                }
                else
                {
                    Opaque = true;
                }
            }

            return base.VisitMethodCall(node);
        }

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is Expression inner)
            {
                Visit(inner);
            }
            else if (node.Value is not null && !node.Type.IsPrimitive && node.Value is not string and not decimal and not Guid and not DateTime and not DateTimeOffset)
            {
                // Setters travelling as constants this reader cannot look into: assume they touch a key.
                Opaque = true;
            }

            return node;
        }

        protected override Expression VisitExtension(Expression node) => node is QueryParameterExpression ? node : base.VisitExtension(node);
    }

    private sealed class ParameterNames(HashSet<string> names) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node)
        {
            if (node is QueryParameterExpression parameter)
            {
                names.Add(parameter.Name);
                return node;
            }

            return node is EntityQueryRootExpression ? node : base.VisitExtension(node);
        }
    }
}
