using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>One segment file the WAL has open: its (locked, in append mode) file and parsed name.</summary>
internal sealed class WalSegment
{
    public WalSegment(LockedFile file, string name)
    {
        File = file;
        Name = name;
        WalSegmentName.Parse(name, out ulong sequence, out ulong index);
        Sequence = sequence;
        FirstIndex = index;
    }

    public LockedFile File { get; }

    public string Name { get; }

    public ulong Sequence { get; }

    /// <summary>The raft index in the segment's name: entries before it are in older segments.</summary>
    public ulong FirstIndex { get; }
}
