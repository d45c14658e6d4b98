namespace Cairn.Server.Apply;

/// <summary>
/// The index of the last applied entry, and waiters for it to reach a given index (a
/// linearizable read waits for the read index; publishing waits for its own entry).
/// </summary>
public sealed class AppliedIndex
{
    private readonly object _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, ulong> _waiters = new();
    private long _index;

    public AppliedIndex(ulong initial) => _index = (long)initial;

    public ulong Value => (ulong)Interlocked.Read(ref _index);

    /// <summary>Completes when the applied index is at least <paramref name="index"/>.</summary>
    public Task WaitAsync(ulong index, CancellationToken cancellationToken)
    {
        if (Value >= index)
        {
            return Task.CompletedTask;
        }
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Value >= index)
            {
                return Task.CompletedTask;
            }
            _waiters.Enqueue(waiter, index);
        }
        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    /// <summary>Called by the apply loop after applying up to <paramref name="index"/>.</summary>
    public void Advance(ulong index)
    {
        Interlocked.Exchange(ref _index, (long)index);
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            while (_waiters.TryPeek(out _, out var at) && at <= index)
            {
                (ready ??= []).Add(_waiters.Dequeue());
            }
        }
        ready?.ForEach(w => w.TrySetResult());
    }

    /// <summary>Fails every waiter (the server is stopping).</summary>
    public void FailAll(Exception error)
    {
        List<TaskCompletionSource> all = [];
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var w, out _))
            {
                all.Add(w);
            }
        }
        all.ForEach(w => w.TrySetException(error));
    }
}
