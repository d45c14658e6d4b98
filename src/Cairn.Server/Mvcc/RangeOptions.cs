using Cairn.Protocol.Mvccpb;

namespace Cairn.Server.Mvcc;

/// <summary>
/// How to read a range (etcd's mvcc <c>RangeOptions</c>): at most <paramref name="Limit"/> keys
/// (0: all), at revision <paramref name="Revision"/> (0 or less: the view's), or only count them.
/// </summary>
public readonly record struct RangeOptions(long Limit = 0, long Revision = 0, bool CountOnly = false);

/// <summary>
/// A range read: the key-values (up to the limit, in key order), the count of every key in the
/// range at the revision read, and the view's revision (what goes in the response header).
/// </summary>
public sealed record RangeResult(List<KeyValue> KeyValues, int Count, long Revision);
