namespace Cairn.Raft.Tracking;

internal enum VoteResult
{
    /// <summary>Not decided yet: the missing votes could still swing it.</summary>
    Pending = 1,
    Lost = 2,
    Won = 3,
}
