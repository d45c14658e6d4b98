namespace Cairn.Raft;

/// <summary>Volatile state worth reporting but never persisted: who leads, and our role.</summary>
public readonly record struct SoftState(ulong Lead, RaftRole Role);
