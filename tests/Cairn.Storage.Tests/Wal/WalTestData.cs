using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Storage.Tests.Wal;

/// <summary>Entries and states for WAL tests.</summary>
public static class WalTestData
{
    /// <summary>Entries <paramref name="first"/>..<paramref name="last"/> of <paramref name="term"/>, each with <paramref name="size"/> bytes of data derived from its index.</summary>
    public static List<Entry> Entries(ulong first, ulong last, ulong term = 1, int size = 16)
    {
        var entries = new List<Entry>();
        for (ulong i = first; i <= last; i++)
        {
            var data = new byte[size];
            for (int b = 0; b < size; b++)
            {
                data[b] = (byte)(i * 31 + (ulong)b);
            }
            entries.Add(Entry.Of(term, i, EntryType.EntryNormal, ByteString.CopyFrom(data)));
        }
        return entries;
    }

    public static void AssertSameEntries(IEnumerable<Entry> expected, IEnumerable<Entry> actual) =>
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));

    public static string Describe(Entry e) =>
        $"{e.Term}/{e.Index}/{e.Type}/{(e.HasData ? Convert.ToHexString(e.Data.Span) : "-")}";

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    /// <summary>
    /// Asserts that <paramref name="actualDir"/> holds the same files as <paramref name="expectedDir"/>,
    /// byte for byte, naming the first difference; returns the file names, in ordinal order.
    /// </summary>
    public static List<string> AssertSameFiles(string expectedDir, string actualDir, string context)
    {
        var expectedNames = FileNames(expectedDir);
        Assert.Equal(expectedNames, FileNames(actualDir));
        foreach (string name in expectedNames)
        {
            byte[] expected = File.ReadAllBytes(Path.Combine(expectedDir, name));
            byte[] actual = File.ReadAllBytes(Path.Combine(actualDir, name));
            Assert.True(expected.Length == actual.Length, $"{context}: {name} is {expected.Length} bytes against {actual.Length}");
            int same = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(same == expected.Length, $"{context}: {name} differs first at offset {same}");
        }
        return expectedNames;
    }

    private static List<string> FileNames(string dir) =>
        Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The single segment file of a WAL directory, or the last one.</summary>
    public static string LastSegment(string dir) =>
        Directory.GetFiles(dir, "*.wal").Order(StringComparer.Ordinal).Last();
}
