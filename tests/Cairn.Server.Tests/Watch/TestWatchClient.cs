using System.Threading.Channels;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Grpc;
using Cairn.Server.Watch;

namespace Cairn.Server.Tests.Watch;

/// <summary>
/// A client of one watch stream without the wire: requests go straight to the stream, responses
/// are parsed from the bytes the stream would send. Its reading can be paused, as a client that
/// stops reading.
/// </summary>
internal sealed class TestWatchClient : IGrpcBufferedStreamWriter<WatchResponseFrame>, IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Channel<WatchResponse> _received = Channel.CreateUnbounded<WatchResponse>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private readonly List<WatchResponse> _buffered = [];
    private TaskCompletionSource? _paused;

    public TestWatchClient(WatchHub hub)
    {
        Stream = hub.OpenStream(() => Cut.TrySetResult());
        _sending = Stream.SendAsync(this, _stop.Token);
    }

    public WatchStream Stream { get; }

    /// <summary>Completes when the hub cuts the stream for not reading.</summary>
    public TaskCompletionSource Cut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every response, for a test that reads them itself instead of through <see cref="NextAsync"/>.</summary>
    public ChannelReader<WatchResponse> Responses => _received.Reader;

    public void Send(WatchCreateRequest create) => Stream.Handle(new WatchRequest { CreateRequest = create });

    public void Cancel(long id) => Stream.Handle(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });

    public void RequestProgress() => Stream.Handle(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

    /// <summary>Creates a watcher and returns its created response.</summary>
    public async Task<WatchResponse> CreateAsync(WatchCreateRequest create)
    {
        Send(create);
        var created = await NextAsync();
        Assert.True(created.Created, $"expected a created response, got {created}");
        return created;
    }

    public async Task<WatchResponse> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no watch response within {Patience}");
        }
    }

    /// <summary>True if a response arrives within <paramref name="wait"/>.</summary>
    public async Task<WatchResponse?> NextOrNullAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads responses until the watcher's events reach <paramref name="revision"/>; returns its events.</summary>
    public async Task<List<Event>> EventsUntilAsync(long watchId, long revision)
    {
        var events = new List<Event>();
        while (events.Count == 0 || events[^1].Kv.ModRevision < revision)
        {
            var response = await NextAsync();
            Assert.Equal(watchId, response.WatchId);
            Assert.False(response.Canceled, $"watcher canceled: {response}");
            events.AddRange(response.Events);
        }
        return events;
    }

    public void PauseReading() => Interlocked.CompareExchange(ref _paused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void ResumeReading() => Interlocked.Exchange(ref _paused, null)?.TrySetResult();

    async ValueTask IGrpcStreamWriter<WatchResponseFrame>.WriteAsync(WatchResponseFrame message, CancellationToken cancellationToken)
    {
        ((IGrpcBufferedStreamWriter<WatchResponseFrame>)this).Buffer(message);
        await ((IGrpcBufferedStreamWriter<WatchResponseFrame>)this).FlushAsync(cancellationToken);
    }

    void IGrpcBufferedStreamWriter<WatchResponseFrame>.Buffer(WatchResponseFrame message) =>
        // Through bytes, as a client would see it.
        _buffered.Add(WatchResponse.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message)));

    async ValueTask IGrpcBufferedStreamWriter<WatchResponseFrame>.FlushAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _paused) is { } paused)
        {
            await paused.Task.WaitAsync(cancellationToken);
        }
        foreach (var response in _buffered)
        {
            _received.Writer.TryWrite(response);
        }
        _buffered.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        ResumeReading();
        _stop.Cancel();
        Stream.Dispose();
        await _sending;
    }
}
