using System.Threading.Channels;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// One response waiting in a stream's queue: a whole frame (created, canceled, progress,
/// compacted, fragments), or an event response spelled out — its header, its events' shared
/// bytes and the watch ID — so that the hundreds of thousands of event responses a second a
/// busy member queues cost no object each (they used to be a frame each, and the ones waiting
/// in full queues survived into older generations, which made every collection longer).
/// </summary>
internal readonly record struct QueuedResponse(WatchResponseFrame? Frame, ByteString? Header, IReadOnlyList<ByteString>? Events, long WatchId, int Size)
{
    public static QueuedResponse Of(WatchResponseFrame frame) => new(frame, null, null, 0, frame.CalculateSize());

    public static QueuedResponse OfEvents(ByteString header, IReadOnlyList<ByteString> events, long watchId) =>
        new(null, header, events, watchId, WatchResponseFrame.EventsSize(header, events, watchId));

    /// <summary>The frame to write: its own, or <paramref name="reusable"/> made this event response.</summary>
    public WatchResponseFrame ToFrame(WatchResponseFrame reusable) => Frame ?? reusable.Reset(Header!, Events!, WatchId, Size);
}

/// <summary>
/// The responses of one stream waiting for its client, in the order they must be sent, with
/// their size accounted from the moment they are queued until the transport has taken them.
/// Events are queued only while the total is under the capacity (a watcher whose events do not
/// fit falls back to catch-up); control responses (created, canceled, progress) always are, the
/// stream's receive loop waiting for room before it takes the next request.
/// </summary>
internal sealed class ResponseQueue
{
    private readonly Channel<QueuedResponse> _frames =
        Channel.CreateUnbounded<QueuedResponse>(new UnboundedChannelOptions { SingleReader = true });
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
    public void Enqueue(WatchResponseFrame frame) => Enqueue(QueuedResponse.Of(frame));

    /// <summary>Queues a response whatever the size already queued.</summary>
    public void Enqueue(QueuedResponse response)
    {
        Interlocked.Add(ref _bytes, response.Size);
        if (!_frames.Writer.TryWrite(response))
        {
            // Closed: the stream is gone; nobody will send it.
            Interlocked.Add(ref _bytes, -response.Size);
        }
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Whether responses wait behind the one being handled.</summary>
    public bool HasQueued => _frames.Reader.TryPeek(out _);

    public bool TryDequeue(out QueuedResponse response) => _frames.Reader.TryRead(out response);

    /// <summary>
    /// Accounts dequeued responses of <paramref name="size"/> bytes as sent. Returns true when
    /// this brought the queue down to half its capacity (catch-up may resume for the stream's
    /// watchers).
    /// </summary>
    public bool Sent(long size)
    {
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
        while (_frames.Reader.TryRead(out var response))
        {
            Interlocked.Add(ref _bytes, -response.Size);
        }
        Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();
    }
}
