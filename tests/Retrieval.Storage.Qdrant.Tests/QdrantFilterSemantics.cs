using Qdrant.Client.Grpc;

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary>
/// Evaluates the subset of Qdrant's filter language this backend emits (must / must_not / should of field matches:
/// keyword, any-of keywords, integer) against a payload, with Qdrant's documented rule that a condition on an array
/// field holds when any element satisfies it. Lets the tests check what a translated filter admits, not only its shape.
/// Anything outside the subset throws, so a new kind of condition cannot pass unexamined.
/// </summary>
internal static class QdrantFilterSemantics
{
    public static bool Admits(Filter filter, IReadOnlyDictionary<string, Value> payload) =>
        filter.Must.All(c => Holds(c, payload))
        && !filter.MustNot.Any(c => Holds(c, payload))
        && (filter.Should.Count == 0 || filter.Should.Any(c => Holds(c, payload)));

    private static bool Holds(Condition condition, IReadOnlyDictionary<string, Value> payload)
    {
        switch (condition.ConditionOneOfCase)
        {
            case Condition.ConditionOneOfOneofCase.Filter:
                return Admits(condition.Filter, payload);
            case Condition.ConditionOneOfOneofCase.Field:
                var field = condition.Field;
                if (!payload.TryGetValue(field.Key, out var value))
                {
                    return false;
                }

                var values = value.KindCase == Value.KindOneofCase.ListValue ? [.. value.ListValue.Values] : new List<Value> { value };
                return values.Any(v => Matches(field.Match, v));
            default:
                throw new NotSupportedException($"Condition {condition.ConditionOneOfCase} is outside the tested subset.");
        }
    }

    private static bool Matches(Match match, Value value) => match.MatchValueCase switch
    {
        Match.MatchValueOneofCase.Keyword => value.KindCase == Value.KindOneofCase.StringValue && value.StringValue == match.Keyword,
        Match.MatchValueOneofCase.Keywords => value.KindCase == Value.KindOneofCase.StringValue && match.Keywords.Strings.Contains(value.StringValue),
        Match.MatchValueOneofCase.Integer => value.KindCase == Value.KindOneofCase.IntegerValue && value.IntegerValue == match.Integer,
        _ => throw new NotSupportedException($"Match {match.MatchValueCase} is outside the tested subset."),
    };
}
