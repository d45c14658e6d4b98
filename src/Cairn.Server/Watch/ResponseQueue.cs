using System.Threading.Channels;

namespace Cairn.Server.Watch;

/// <summary>
/// The responses of one stream waiting for its client, in the order they must be sent, with
/// their size accounted from the moment they are queued until the transport has taken them.
/// Events are queued only while the total is under the capacity (a watcher whose events do not
/// fit falls back to catch-up); control responses (created, canceled, progress) always are, the
/// stream's receive loop waiting for room before it takes the next request.
/// </summary>
internal sealed class ResponseQueue
{
    private readonly Channel<WatchResponseFrame> _frames =
        Channel.CreateUnbounded<WatchResponseFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long _capacity;
    private long _bytes;
    private TaskCompletionSource? _roomWaiter;

    public ResponseQueue(long capacity)
    {
        _capacity = Math.Max(1, capacity);
    }

    /// <summary>Bytes queued or being written.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Whether more events may be queued.</summary>
    public bool HasRoom => Bytes < _capacity;

    /// <summary>Whether a catch-up round should fill it: at most half full, so its work is not wasted.</summary>
    public bool HasRoomForCatchUp => Bytes <= _capacity / 2;

    /// <summary>Bytes that may still be queued before it is full.</summary>
    public long Room => Math.Max(0, _capacity - Bytes);

    /// <summary>Queues a response whatever the size already queued.</summary>
    public void Enqueue(WatchResponseFrame frame)
    {
        Interlocked.Add(ref _bytes, frame.CalculateSize());
        if (!_frames.Writer.TryWrite(frame))
        {
            // Closed: the stream is gone; nobody will send it.
            Interlocked.Add(ref _bytes, -frame.CalculateSize());
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Whether responses wait behind the one being handled.</summary>
    public bool HasQueued => _frames.Reader.TryPeek(out _);

    public bool TryDequeue(out WatchResponseFrame frame) => _frames.Reader.TryRead(out frame!);

    /// <summary>
    /// Accounts a dequeued response as sent. Returns true when this brought the queue down to
    /// half its capacity (catch-up may resume for the stream's watchers).
    /// </summary>
    public bool Sent(WatchResponseFrame frame)
    {
        long size = frame.CalculateSize();
        long after = Interlocked.Add(ref _bytes, -size);
        if (after < _capacity)
        {
            Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();
        }
        return after <= _capacity / 2 && after + size > _capacity / 2;
    }

    /// <summary>Completes when the queue is under its capacity (the receive loop's backpressure).</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (!HasRoom)
        {
            var waiter = Volatile.Read(ref _roomWaiter);
            if (waiter is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiter = Interlocked.CompareExchange(ref _roomWaiter, created, null) ?? created;
            }
            if (HasRoom)
            {
                break;
            }
            return WaitAsync(waiter.Task, cancellationToken);
        }
        return Task.CompletedTask;
    }

    private async Task WaitAsync(Task room, CancellationToken cancellationToken)
    {
        await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the queue: nothing more is taken, what is queued is dropped.</summary>
    public void Close()
    {
        _frames.Writer.TryComplete();
        while (_frames.Reader.TryRead(out var frame))
        {
            Interlocked.Add(ref _bytes, -frame.CalculateSize());
        }
        Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();
    }
}
