using System.Collections.Concurrent;

namespace Cairn.Server.Proposals;

/// <summary>
/// Proposals waiting for their entry to be applied, by request ID (etcd's wait.Wait). The API
/// thread registers before proposing; the apply loop completes it with the result.
/// </summary>
public sealed class ProposalWaiters<TResult>
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<TResult>> _waiting = new();

    public int Count => _waiting.Count;

    public Task<TResult> Register(ulong id)
    {
        var waiter = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(id, waiter))
        {
            throw new InvalidOperationException($"duplicate proposal id {id:x}");
        }
        return waiter.Task;
    }

    /// <summary>Completes the waiter for <paramref name="id"/>, if any (entries replayed at start have none).</summary>
    public void Complete(ulong id, TResult result)
    {
        if (_waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult(result);
        }
    }

    /// <summary>Drops a waiter whose caller gave up (timeout, cancellation, proposal refused).</summary>
    public void Cancel(ulong id) => _waiting.TryRemove(id, out _);

    /// <summary>Fails every waiter, e.g. when the server stops.</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in _waiting.Keys)
        {
            if (_waiting.TryRemove(id, out var waiter))
            {
                waiter.TrySetException(error);
            }
        }
    }
}
