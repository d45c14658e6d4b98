using Cairn.Server.Errors;

namespace Cairn.Server.Mvcc;

/// <summary>
/// What <see cref="MvccStore.Compact"/> did: the error, if the compaction was refused, and a
/// task that completes once the backend no longer holds the compacted records (for a refused
/// one: once earlier compactions are done, as etcd's barrier). Clients asking for a physical
/// compaction wait on it.
/// </summary>
public readonly record struct CompactionOutcome(EtcdError? Error, Task Physical);
