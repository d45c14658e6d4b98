using System.Buffers.Binary;
using Cairn.Raft;
using Cairn.Server.Apply;
using Cairn.Server.Consensus;
using Cairn.Server.Errors;
using Cairn.Server.Proposals;
using Google.Protobuf;

namespace Cairn.Server.Reads;

/// <summary>
/// Linearizable reads by ReadIndex, batched as etcd's linearizableReadLoop batches them: reads that
/// arrive while a ReadIndex round is in flight wait for the next round (their read point must be
/// chosen after they arrived), and each round asks raft once for everyone in it. A read may go
/// ahead once the member has applied up to the round's index.
/// </summary>
public sealed class LinearizableReads
{
    private readonly object _gate = new();
    private readonly RaftLoop _raft;
    private readonly AppliedIndex _applied;
    private readonly RequestIdGenerator _ids;
    private readonly TimeSpan _timeout;
    private Round? _inFlight;
    private Round? _next;

    /// <param name="timeout">How long a round may wait for raft's answer (a leader change can lose it) before its reads fail.</param>
    public LinearizableReads(RaftLoop raft, AppliedIndex applied, RequestIdGenerator ids, TimeSpan timeout)
    {
        _raft = raft;
        _applied = applied;
        _ids = ids;
        _timeout = timeout;
    }

    /// <summary>Completes when local state reflects every write committed before the call; throws <see cref="EtcdException"/>.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Round round;
        lock (_gate)
        {
            round = _next ??= new Round(_ids.Next());
            if (_inFlight is null)
            {
                Issue();
            }
        }
        ulong index = await round.Index.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _applied.WaitAsync(index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Raft's answers (on the raft loop thread).</summary>
    public void OnReadStates(IReadOnlyList<ReadState> states)
    {
        foreach (var state in states)
        {
            if (state.RequestContext.Length != 8)
            {
                continue;
            }
            ulong id = BinaryPrimitives.ReadUInt64BigEndian(state.RequestContext.Span);
            Complete(id, round => round.Index.TrySetResult(state.Index));
        }
    }

    /// <summary>Raft refused the ReadIndex (no leader): the round's reads fail.</summary>
    public void OnReadIndexDropped(ByteString context, ProposalResult result)
    {
        if (context.Length != 8)
        {
            return;
        }
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(context.Span);
        var error = result.Status == ProposalStatus.DroppedNoLeader ? EtcdErrors.NoLeader : EtcdErrors.Timeout;
        Complete(id, round => round.Index.TrySetException(error.ToException()));
    }

    /// <summary>Fails every waiting read, e.g. when the server stops or loses its leader.</summary>
    public void FailAll(EtcdError error)
    {
        Round? inFlight, next;
        lock (_gate)
        {
            (inFlight, next) = (_inFlight, _next);
            (_inFlight, _next) = (null, null);
        }
        inFlight?.Index.TrySetException(error.ToException());
        next?.Index.TrySetException(error.ToException());
    }

    private void Complete(ulong id, Action<Round> complete)
    {
        Round? done;
        lock (_gate)
        {
            if (_inFlight?.Id != id)
            {
                return;
            }
            done = _inFlight;
            _inFlight = null;
            if (_next is not null)
            {
                Issue();
            }
        }
        complete(done);
    }

    private void Issue()
    {
        _inFlight = _next;
        _next = null;
        var context = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(context, _inFlight!.Id);
        _raft.ReadIndex(UnsafeByteOperations.UnsafeWrap(context));
        _ = ExpireAsync(_inFlight.Id);
    }

    private async Task ExpireAsync(ulong id)
    {
        await Task.Delay(_timeout).ConfigureAwait(false);
        Complete(id, round => round.Index.TrySetException(EtcdErrors.Timeout.ToException()));
    }

    private sealed class Round(ulong id)
    {
        public ulong Id { get; } = id;

        public TaskCompletionSource<ulong> Index { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
