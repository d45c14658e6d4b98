using System.Globalization;

namespace Cairn.Storage.Snap;

/// <summary>Names in the snap directory: <c>%016x-%016x.snap</c> (term, index) and <c>%016x.snap.db</c> (index).</summary>
public static class SnapFileName
{
    public const string SnapSuffix = ".snap";
    public const string DbSuffix = ".snap.db";

    public static string Snap(ulong term, ulong index) =>
        string.Create(CultureInfo.InvariantCulture, $"{term:x16}-{index:x16}{SnapSuffix}");

    public static string Db(ulong index) => string.Create(CultureInfo.InvariantCulture, $"{index:x16}{DbSuffix}");

    /// <summary>Parses the index of a <c>.snap.db</c> name (hex, as etcd's <c>strconv.ParseUint(s, 16, 64)</c>).</summary>
    public static bool TryParseDb(string name, out ulong index)
    {
        index = 0;
        return name.EndsWith(DbSuffix, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(0, name.Length - DbSuffix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out index);
    }
}
