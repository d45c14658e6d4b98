namespace Cairn.Server.Backend;

/// <summary>
/// Many holders of the shared side (readers, which may hold it across awaits) or one holder of
/// the exclusive side (defragmentation, which swaps the database file under them). Not
/// thread-affine, unlike ReaderWriterLockSlim. Exclusive requests are preferred: once one waits,
/// new shared holders wait behind it, so a steady stream of readers cannot starve it.
/// </summary>
internal sealed class SharedExclusiveGate
{
    private readonly object _gate = new();
    private int _shared;
    private bool _exclusive;
    private int _exclusiveWaiting;
    private TaskCompletionSource _changed = NewSignal();

    public void EnterShared()
    {
        lock (_gate)
        {
            while (_exclusive || _exclusiveWaiting > 0)
            {
                Monitor.Wait(_gate);
            }
            _shared++;
        }
    }

    public void ExitShared()
    {
        lock (_gate)
        {
            _shared--;
            if (_shared == 0)
            {
                Signal();
            }
        }
    }

    public async Task EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _exclusiveWaiting++;
        }
        try
        {
            while (true)
            {
                Task wait;
                lock (_gate)
                {
                    if (!_exclusive && _shared == 0)
                    {
                        _exclusive = true;
                        return;
                    }
                    wait = _changed.Task;
                }
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _exclusiveWaiting--;
                Signal();
            }
        }
    }

    public void ExitExclusive()
    {
        lock (_gate)
        {
            _exclusive = false;
            Signal();
        }
    }

    private void Signal()
    {
        Monitor.PulseAll(_gate);
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
