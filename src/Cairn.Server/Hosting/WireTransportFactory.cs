using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Server.Hosting;

/// <summary>Kestrel's socket transport, plus a listener for the hand-off endpoint that never accepts.</summary>
internal sealed class WireTransportFactory(ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(Options.Create(new SocketTransportOptions()), loggerFactory);

    public bool CanBind(EndPoint endpoint) => endpoint is HandOffEndPoint or IPEndPoint or UnixDomainSocketEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is HandOffEndPoint
            ? ValueTask.FromResult<IConnectionListener>(new SilentListener(endpoint))
            : _sockets.BindAsync(endpoint, cancellationToken);

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
