using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Apply;

/// <summary>
/// The outcome of applying one request (etcd's <c>applyResult</c>): the response, or the error
/// the client gets, and for a compaction a task that completes when its physical part is done
/// (a client asking for a physical compaction is answered after it; etcd's <c>physc</c>).
/// The response header carries only the revision; the server fills cluster, member and term.
/// </summary>
public sealed class ApplyResult
{
    private ApplyResult(IMessage? response, EtcdError? error, Task? physicalCompaction)
    {
        Response = response;
        Error = error;
        PhysicalCompaction = physicalCompaction;
    }

    public IMessage? Response { get; }

    public EtcdError? Error { get; }

    public Task? PhysicalCompaction { get; }

    public static ApplyResult Success(IMessage response, Task? physicalCompaction = null) =>
        new(response, null, physicalCompaction);

    public static ApplyResult Failure(EtcdError error, Task? physicalCompaction = null) =>
        new(null, error, physicalCompaction);

    public override string ToString() => Error is null ? $"ok {Response}" : $"error {Error}";
}
