namespace Cairn.Raft;

/// <summary>What the transport reports after trying to send a snapshot to a follower.</summary>
public enum SnapshotStatus
{
    Finish = 1,
    Failure = 2,
}
