using Google.Protobuf;

namespace Cairn.Protocol.Raftpb;

// etcd generates raftpb with gogoproto's nullable=false, so its marshaller always writes those
// fields, zero or not. proto2 in C# writes a field only when it was set. These constructors set
// every such field, so that what Cairn writes to the WAL and to peers is byte-identical to etcd.

public sealed partial class Entry
{
    public static Entry Of(ulong term, ulong index, EntryType type, ByteString? data) =>
        data is null
            ? new Entry { Term = term, Index = index, Type = type }
            : new Entry { Term = term, Index = index, Type = type, Data = data };
}

public sealed partial class HardState
{
    public static HardState Of(ulong term, ulong vote, ulong commit) =>
        new() { Term = term, Vote = vote, Commit = commit };
}

public sealed partial class SnapshotMetadata
{
    public static SnapshotMetadata Of(ConfState confState, ulong index, ulong term) =>
        new() { ConfState = confState, Index = index, Term = term };
}
