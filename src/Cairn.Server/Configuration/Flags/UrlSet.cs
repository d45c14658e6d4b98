using System.Collections.Immutable;
using Cairn.Server.Configuration.Model;

namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// The state of one of etcd's URL-list flags (<c>UniqueURLs</c>): the set of texts given, which may hold
/// allowed non-URL words such as "*" for --cors, and the parsed URLs in sorted order.
/// </summary>
public sealed record UrlSet(ImmutableSortedSet<string> Values, ImmutableArray<EtcdUrl> Urls)
{
    public static readonly UrlSet Empty = new(ImmutableSortedSet.Create<string>(StringComparer.Ordinal), ImmutableArray<EtcdUrl>.Empty);
}
