using System.Threading.Channels;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Grpc;
using Cairn.Server.Watch;
using Google.Protobuf;

namespace Cairn.Server.Concurrency;

/// <summary>
/// One watch stream of the member's <see cref="WatchHub"/> used from inside the server, as
/// clientv3's recipes use a watch: watchers created by key and start revision, their responses
/// read in order as <see cref="WatchResponse"/> messages. The hub only offers streams that write
/// to a gRPC stream, so this plays the client's side of one; a small bounded buffer makes a slow
/// reader push back on the hub, which then lets the watcher catch up later as it would a slow
/// client.
/// </summary>
internal sealed class HubWatch : IGrpcStreamWriter<WatchResponseFrame>, IAsyncDisposable
{
    private readonly Channel<WatchResponse> _responses =
        Channel.CreateBounded<WatchResponse>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly WatchStream _stream;
    private readonly Task _sending;
    private long _nextId = 1;

    /// <exception cref="EtcdException">The hub is gone: the server stops.</exception>
    public HubWatch(WatchHub hub)
    {
        try
        {
            // The hub cuts a stream whose reader stalls for too long: the watch then ends.
            _stream = hub.OpenStream(Close);
        }
        catch (ObjectDisposedException)
        {
            throw EtcdErrors.Stopped.ToException();
        }
        _sending = SendAsync();
    }

    /// <summary>Creates a watcher on <c>[key, rangeEnd)</c> (one key without a range end) from <paramref name="startRevision"/>; returns its ID.</summary>
    public long Watch(byte[] key, byte[]? rangeEnd, long startRevision)
    {
        long id = _nextId++;
        var create = new WatchCreateRequest { Key = ByteString.CopyFrom(key), StartRevision = startRevision, WatchId = id };
        if (rangeEnd is not null)
        {
            create.RangeEnd = ByteString.CopyFrom(rangeEnd);
        }
        _stream.Handle(new WatchRequest { CreateRequest = create });
        return id;
    }

    /// <summary>Cancels a watcher; responses it had already queued may still be read.</summary>
    public void Cancel(long id) => _stream.Handle(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });

    /// <summary>The next response of any watcher of the stream; null once the stream has ended (cut, or the server stopping).</summary>
    public async ValueTask<WatchResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _responses.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    ValueTask IGrpcStreamWriter<WatchResponseFrame>.WriteAsync(WatchResponseFrame message, CancellationToken cancellationToken) =>
        _responses.Writer.WriteAsync(message.ToResponse(), _closing.Token);

    public async ValueTask DisposeAsync()
    {
        Close();
        _stream.Dispose();
        await _sending.ConfigureAwait(false);
        _closing.Dispose();
    }

    private async Task SendAsync()
    {
        try
        {
            await _stream.SendAsync(this, _closing.Token).ConfigureAwait(false);
        }
        finally
        {
            _responses.Writer.TryComplete();
        }
    }

    private void Close()
    {
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to stop.
        }
    }
}
