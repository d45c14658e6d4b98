using System.Globalization;

namespace Cairn.Storage.Wal;

/// <summary>
/// Segment file names: <c>%016x-%016x.wal</c> of the segment's sequence number and the raft index
/// of the first entry it may hold (the one after the last entry of the previous segment).
/// </summary>
public static class WalSegmentName
{
    public const string Extension = ".wal";

    public static string Format(ulong sequence, ulong index) =>
        string.Create(CultureInfo.InvariantCulture, $"{sequence:x16}-{index:x16}.wal");

    /// <summary>
    /// Parses a name as Go's <c>fmt.Sscanf("%016x-%016x.wal")</c> does: hex digits up to 16 per
    /// number (case-insensitive), a dash, and the ".wal" suffix.
    /// </summary>
    public static bool TryParse(string name, out ulong sequence, out ulong index)
    {
        sequence = 0;
        index = 0;
        if (!name.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }
        int position = 0;
        if (!TryParseHex(name, ref position, out sequence) || position >= name.Length || name[position] != '-')
        {
            return false;
        }
        position++;
        if (!TryParseHex(name, ref position, out index))
        {
            return false;
        }
        return name.AsSpan(position).SequenceEqual(Extension);
    }

    /// <summary>The names in <paramref name="directory"/> that are segment names, sorted.</summary>
    public static List<string> ReadSegmentNames(string directory)
    {
        var names = FileSystem.DirectoryNames.Read(directory);
        names.RemoveAll(n => !TryParse(n, out _, out _));
        return names;
    }

    /// <summary>
    /// The segments to read from the snapshot at <paramref name="snapshotIndex"/> on: from the one
    /// holding it to the last, which must follow each other. Throws <see cref="WalErrorKind.FileNotFound"/>.
    /// </summary>
    public static List<string> SelectFrom(string directory, ulong snapshotIndex)
    {
        var names = ReadSegmentNames(directory);
        int first = Search(names, snapshotIndex);
        if (names.Count == 0 || first < 0 || !IsContiguous(names.Skip(first)))
        {
            throw new WalException(WalErrorKind.FileNotFound, directory, null,
                names.Count == 0 ? "no segments" : $"no contiguous segments from snapshot index {snapshotIndex}");
        }
        return names.GetRange(first, names.Count - first);
    }

    /// <summary>
    /// The position of the last name whose index is at most <paramref name="index"/>: the segment
    /// holding the snapshot record at that index. -1 when every segment starts after it.
    /// </summary>
    public static int Search(IReadOnlyList<string> sortedNames, ulong index)
    {
        for (int i = sortedNames.Count - 1; i >= 0; i--)
        {
            Parse(sortedNames[i], out _, out ulong start);
            if (index >= start)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Whether the sequence numbers of <paramref name="sortedNames"/> increase by one each time.</summary>
    public static bool IsContiguous(IEnumerable<string> sortedNames)
    {
        ulong last = 0;
        foreach (string name in sortedNames)
        {
            Parse(name, out ulong sequence, out _);
            if (last != 0 && last != sequence - 1)
            {
                return false;
            }
            last = sequence;
        }
        return true;
    }

    internal static void Parse(string name, out ulong sequence, out ulong index)
    {
        if (!TryParse(name, out sequence, out index))
        {
            throw new WalException(WalErrorKind.BadSegmentName, detail: name);
        }
    }

    private static bool TryParseHex(string s, ref int position, out ulong value)
    {
        value = 0;
        int start = position;
        while (position < s.Length && position - start < 16 && Uri.IsHexDigit(s[position]))
        {
            value = (value << 4) | (uint)Uri.FromHex(s[position]);
            position++;
        }
        return position > start;
    }
}
