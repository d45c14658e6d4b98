namespace Cairn.Server.Mvcc;

/// <summary>
/// Runs compactions one after the other on the thread pool, in the order asked (etcd's FIFO
/// scheduler), away from the apply loop.
/// </summary>
internal sealed class CompactionQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _tail = Task.CompletedTask;

    /// <summary>Queues a job; the task completes (or fails) with it.</summary>
    public Task Enqueue(Func<CancellationToken, Task> job)
    {
        lock (_gate)
        {
            var task = RunAfter(_tail, job, _stop.Token);
            _tail = task;
            return task;
        }
    }

    /// <summary>Completes once every job queued so far has ended, failed or not.</summary>
    public Task WhenIdle()
    {
        lock (_gate)
        {
            return _tail.ContinueWith(_ => { }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static async Task RunAfter(Task previous, Func<CancellationToken, Task> job, CancellationToken stop)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The earlier job's own task carries its failure; this one runs regardless.
        }
        await Task.Run(() => job(stop), stop).ConfigureAwait(false);
    }

    /// <summary>Stops the running job at its next batch and skips the queued ones.</summary>
    public void Dispose() => _stop.Cancel(); // not disposed: running jobs still read the token
}
