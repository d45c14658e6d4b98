using System.Net;
using System.Net.Sockets;

namespace Cairn.Tests.Processes;

/// <summary>Loopback ports that nothing listens on right now, chosen by the kernel.</summary>
internal static class FreePorts
{
    /// <summary>
    /// Holds every listener until all ports are chosen, so the same port is not handed out twice in one call. Another
    /// process may still take a port before the server binds it; <see cref="ServerProcess"/> retries a first start
    /// that fails with "address already in use".
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
