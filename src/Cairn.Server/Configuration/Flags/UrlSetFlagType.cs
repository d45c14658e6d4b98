using System.Collections.Immutable;
using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// etcd's <c>NewUniqueURLsWithExceptions</c>: a comma-separated list of URLs, de-duplicated and sorted; an
/// exception word (e.g. "*" for --cors, "" for the listen URLs) is added to the set without touching the URLs.
/// </summary>
public sealed class UrlSetFlagType : FlagValueType
{
    public static readonly UrlSetFlagType AllowEmpty = new(string.Empty);
    public static readonly UrlSetFlagType AllowStar = new("*");

    private readonly string _exception;

    private UrlSetFlagType(string exception) => _exception = exception;

    public override FlagSetResult Set(object? current, string raw)
    {
        var state = current as UrlSet ?? UrlSet.Empty;
        if (state.Values.Contains(raw))
        {
            return FlagSetResult.Ok(state);
        }

        if (raw == _exception)
        {
            return FlagSetResult.Ok(state with { Values = state.Values.Add(raw) });
        }

        var error = GoUrl.TryParseList(raw.Split(','), out var urls);
        if (error is not null)
        {
            return FlagSetResult.Fail(error);
        }

        var values = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, urls.Select(u => u.ToString()));
        var unique = urls.Distinct().ToImmutableArray();
        return FlagSetResult.Ok(new UrlSet(values, unique));
    }

    public override object? DefaultFrom(string text) => text.Length == 0 ? UrlSet.Empty : base.DefaultFrom(text);
}
