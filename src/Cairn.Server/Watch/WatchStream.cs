using System.Diagnostics;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;

namespace Cairn.Server.Watch;

/// <summary>
/// One client stream of the Watch service (etcd's serverWatchStream over its mvcc watchStream):
/// its watchers by ID and the ordered queue of responses for its client. Everything a watcher
/// produces (created, events, progress, canceled) goes through the one queue, so a client sees
/// them in the order the hub decided them: a watcher's creation before its events, its events
/// in revision order, a progress response after every event it vouches for.
/// </summary>
public sealed class WatchStream : IDisposable
{
    private readonly WatchHub _hub;
    private readonly Action? _cut;
    private Timer? _progressTimer;
    private long _writeStartedAt;
    private int _closed;

    internal WatchStream(WatchHub hub, long bufferBytes, Action? cut)
    {
        _hub = hub;
        _cut = cut;
        Queue = new ResponseQueue(bufferBytes);
        CatchUpNode = new LinkedListNode<WatchStream>(this);
    }

    internal ResponseQueue Queue { get; }

    // The fields below are guarded by the hub's lock.
    internal Dictionary<long, Watcher> Watchers { get; } = [];

    internal long NextWatchId { get; set; }

    /// <summary>Its unsynced watchers, in the order catch-up takes them.</summary>
    internal LinkedList<Watcher> Unsynced { get; } = new();

    /// <summary>Its node in the hub's list of streams with unsynced watchers (in it only while <see cref="Unsynced"/> is not empty).</summary>
    internal LinkedListNode<WatchStream> CatchUpNode { get; }

    internal bool ProgressRequested { get; set; }

    /// <summary>Scratch for the hub while it fills a catch-up batch: the stream's watchers offered, and those that joined.</summary>
    internal int CatchUpShare { get; set; }

    internal int CatchUpJoined { get; set; }

    internal bool Closed { get; set; }

    /// <summary>Bytes of responses queued for the client or being written.</summary>
    public long QueuedBytes => Queue.Bytes;

    /// <summary>Number of watchers on the stream.</summary>
    public int WatcherCount => _hub.CountWatchers(this);

    /// <summary>Handles one request of the client (create, cancel or progress); anything else is ignored, as etcd does.</summary>
    public void Handle(WatchRequest request)
    {
        switch (request.RequestUnionCase)
        {
            case WatchRequest.RequestUnionOneofCase.CreateRequest:
                _hub.Create(this, request.CreateRequest);
                break;
            case WatchRequest.RequestUnionOneofCase.CancelRequest:
                _hub.Cancel(this, request.CancelRequest.WatchId);
                break;
            case WatchRequest.RequestUnionOneofCase.ProgressRequest:
                _hub.RequestProgress(this);
                break;
        }
    }

    /// <summary>
    /// Completes when the stream may take another request: the responses queued are under the
    /// stream's buffer, so a client that sends requests and never reads cannot grow it.
    /// </summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken) => Queue.WaitForRoomAsync(cancellationToken);

    /// <summary>
    /// Writes the stream's responses until <paramref name="cancellationToken"/> fires, the stream
    /// is disposed, or the transport fails (the exception then propagates). A backlog goes out
    /// with one flush per batch when the writer can buffer.
    /// </summary>
    public async Task SendAsync(IGrpcStreamWriter<WatchResponseFrame> responses, CancellationToken cancellationToken)
    {
        const int MaxBatch = 64;
        var buffered = responses as IGrpcBufferedStreamWriter<WatchResponseFrame>;
        // Every event response goes out through this one frame: each is written (serialized into
        // the transport's buffer) before the next is set.
        var reusable = new WatchResponseFrame(Google.Protobuf.ByteString.Empty);
        int batched = 0;
        long batchBytes = 0;
        bool started = false;
        try
        {
            while (await Queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (Queue.TryDequeue(out var response))
                {
                    var frame = response.ToFrame(reusable);
                    batched++;
                    batchBytes += response.Size;
                    // Buffering starts once the response has (its first write sends the headers).
                    if (buffered is not null && started && Queue.HasQueued && batched < MaxBatch)
                    {
                        buffered.Buffer(frame);
                        continue;
                    }
                    Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());
                    try
                    {
                        // The call's own token covers the write (the client leaving cancels it);
                        // a token of ours would cost a linked registration per write.
                        if (batched == 1)
                        {
                            await responses.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
                        }
                        else
                        {
                            buffered!.Buffer(frame);
                            await buffered.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        Volatile.Write(ref _writeStartedAt, 0);
                    }
                    started = true;
                    bool room = Queue.Sent(batchBytes);
                    batched = 0;
                    batchBytes = 0;
                    if (room)
                    {
                        _hub.OnStreamRoom(this);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the stream was closed: nothing more to send.
        }
    }

    /// <summary>How long the current write has waited for the client, zero when none is waiting.</summary>
    internal TimeSpan WriteWaiting
    {
        get
        {
            long started = Volatile.Read(ref _writeStartedAt);
            return started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>Cuts the stream (its client stopped reading); the service resets it.</summary>
    internal void Cut() => _cut?.Invoke();

    /// <summary>Starts the periodic progress notifications of the stream (once, when a watcher asks for them).</summary>
    internal void EnsureProgressTimer(TimeSpan interval)
    {
        // Called under the hub's lock, like Close: a closed stream never starts a timer.
        if (_progressTimer is not null || Closed)
        {
            return;
        }
        // etcd adds up to a tenth of the interval at random, so that streams created together do not tick together.
        var period = interval + TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, interval.Ticks / 10)));
        _progressTimer = new Timer(_ => _hub.ProgressTick(this), null, period, period);
    }

    /// <summary>Removes every watcher of the stream and drops what it had not sent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        _hub.Close(this);
        _progressTimer?.Dispose();
        Queue.Close();
    }
}
