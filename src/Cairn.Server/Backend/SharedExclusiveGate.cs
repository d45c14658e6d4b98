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

    /// <summary>Blocks the calling thread until it holds the exclusive side, or throws when cancelled.</summary>
    public void EnterExclusive(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _exclusiveWaiting++;
            try
            {
                while (_exclusive || _shared > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Woken by Signal's PulseAll; the timeout only bounds how late a cancellation is seen.
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(100));
                }
                _exclusive = true;
            }
            finally
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
