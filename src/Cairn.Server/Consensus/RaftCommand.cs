using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Google.Protobuf;

namespace Cairn.Server.Consensus;

/// <summary>Requests to the raft loop from other threads, executed on the loop's thread in arrival order.</summary>
internal abstract record RaftCommand
{
    public sealed record Propose(ulong Id, ByteString Data) : RaftCommand;

    public sealed record ProposeConfChange(ConfChange Change) : RaftCommand;

    public sealed record ReadIndex(ByteString Context) : RaftCommand;

    public sealed record Step(Message Message) : RaftCommand;

    public sealed record ApplyConfChange(ConfChange Change, TaskCompletionSource<ConfState> Done) : RaftCommand;

    public sealed record CreateSnapshot(ulong Index, ConfState ConfState, ByteString Data, ulong CatchUpEntries, TaskCompletionSource<Snapshot?> Done) : RaftCommand;

    public sealed record Inspect(Action<RaftNode> Run, Action<Exception> Fail) : RaftCommand;
}
