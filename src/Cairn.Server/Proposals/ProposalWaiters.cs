using System.Collections.Concurrent;

namespace Cairn.Server.Proposals;

/// <summary>
/// Proposals waiting for their entry to be applied, by request ID (etcd's wait.Wait). The API
/// thread registers before proposing; the apply loop completes it with the result. Each waiter
/// carries its deadline, and one periodic <see cref="Expire"/> fails the late ones: a timer per
/// request cost more CPU than the request's own apply at tens of thousands of puts per second.
/// </summary>
public sealed class ProposalWaiters<TResult>
{
    private readonly ConcurrentDictionary<ulong, Waiter> _waiting = new();

    public int Count => _waiting.Count;

    /// <summary>Registers a waiter that <see cref="Expire"/> fails once <paramref name="deadline"/> (<see cref="Environment.TickCount64"/>) has passed.</summary>
    public Task<TResult> Register(ulong id, long deadline = long.MaxValue)
    {
        var waiter = new Waiter(deadline);
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

    /// <summary>Fails the waiter for <paramref name="id"/>, if it still waits (its caller gave up).</summary>
    public void Fail(ulong id, Exception error)
    {
        if (_waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetException(error);
        }
    }

    /// <summary>Drops a waiter whose caller gave up (timeout, cancellation, proposal refused).</summary>
    public void Cancel(ulong id) => _waiting.TryRemove(id, out _);

    /// <summary>Fails every waiter whose deadline is at or before <paramref name="now"/>; returns how many.</summary>
    public int Expire(long now, Func<Exception> error)
    {
        int expired = 0;
        foreach (var (id, waiter) in _waiting)
        {
            if (waiter.Deadline <= now && _waiting.TryRemove(id, out var removed))
            {
                removed.TrySetException(error());
                expired++;
            }
        }
        return expired;
    }

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

    private sealed class Waiter(long deadline) : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Deadline { get; } = deadline;
    }
}
