using System.Net;
using System.Net.Sockets;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests.Hosting;

public class SocketTransportWithPoolTests
{
    [Fact]
    public async Task A_connection_writes_its_socket_through_the_given_pool()
    {
        using var pool = new PinnedBlockPool();
        var transport = SocketTransportWithPool.Create(pool, NullLoggerFactory.Instance);
        var listener = await transport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        try
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.EndPoint);
            await using var connection = await listener.AcceptAsync() ?? throw new InvalidOperationException("no connection");

            // Larger than a small block: the transport's output pipe takes blocks of both sizes.
            var payload = new byte[3 * PinnedBlockPool.LargeBlockSize];
            Random.Shared.NextBytes(payload);
            await connection.Transport.Output.WriteAsync(payload);

            var received = new byte[payload.Length];
            int total = 0;
            while (total < received.Length)
            {
                int read = await client.ReceiveAsync(received.AsMemory(total), SocketFlags.None);
                Assert.NotEqual(0, read);
                total += read;
            }
            Assert.Equal(payload, received);
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
        }
        finally
        {
            await listener.UnbindAsync();
            await listener.DisposeAsync();
        }

        // The blocks the pipe wrote through came back to the pool, so it handed them out.
        Assert.True(pool.Retained > 0, "no block of the pool was used");
    }
}
