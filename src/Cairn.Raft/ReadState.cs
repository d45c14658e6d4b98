using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>
/// The answer to a ReadIndex request: once the local state machine has applied up to
/// <see cref="Index"/>, a read made for <see cref="RequestContext"/> is linearizable.
/// </summary>
public readonly record struct ReadState(ulong Index, ByteString RequestContext);
