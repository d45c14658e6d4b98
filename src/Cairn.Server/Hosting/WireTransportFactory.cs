using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// Kestrel's socket transport, whose connections get the member's <see cref="PinnedBlockPool"/>
/// for the transport's buffers and Kestrel's HTTP buffers, plus a listener for the hand-off
/// endpoint that never accepts.
/// </summary>
internal sealed class WireTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly IConnectionListenerFactory _sockets;
    private readonly PooledMemory _memory;

    public WireTransportFactory(ILoggerFactory loggerFactory)
    {
        var pool = new PinnedBlockPool();
        _memory = new PooledMemory(pool);
        _sockets = SocketTransportWithPool.Create(pool, loggerFactory);
    }

    public bool CanBind(EndPoint endpoint) => endpoint is HandOffEndPoint or IPEndPoint or UnixDomainSocketEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is HandOffEndPoint
            ? new SilentListener(endpoint)
            : new PooledListener(await _sockets.BindAsync(endpoint, cancellationToken).ConfigureAwait(false), _memory);

    private sealed class PooledMemory(MemoryPool<byte> pool) : IMemoryPoolFeature
    {
        public MemoryPool<byte> MemoryPool { get; } = pool;
    }

    /// <summary>Hands each accepted connection the pool (Kestrel's HTTP layer takes its pool from this feature).</summary>
    private sealed class PooledListener(IConnectionListener sockets, IMemoryPoolFeature memory) : IConnectionListener
    {
        public EndPoint EndPoint => sockets.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var connection = await sockets.AcceptAsync(cancellationToken).ConfigureAwait(false);
            connection?.Features.Set(memory);
            return connection;
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => sockets.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => sockets.DisposeAsync();
    }

    /// <summary>Waits for its unbinding and then tells Kestrel there is nothing more to accept.</summary>
    private sealed class SilentListener(EndPoint endpoint) : IConnectionListener
    {
        private readonly TaskCompletionSource<ConnectionContext?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndPoint EndPoint { get; } = endpoint;

        public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
            new(_closed.Task.WaitAsync(cancellationToken));

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _closed.TrySetResult(null);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _closed.TrySetResult(null);
            return ValueTask.CompletedTask;
        }
    }
}
