using System.Diagnostics;

namespace Cairn.Bench.Kv;

/// <summary>
/// CPU time the measured run cost the load generator and (given its pid) the server, and the
/// server's resident memory at the end and at its peak (VmHWM: the kernel's own high-water mark,
/// so no sampling interval can miss a spike).
/// </summary>
internal sealed record ResourceUse(TimeSpan ClientCpu, TimeSpan? ServerCpu, long? ServerRssKiB, long? ServerPeakRssKiB)
{
    public static Meter Start(int? serverPid) => new(serverPid);

    internal sealed class Meter
    {
        private readonly int? _serverPid;
        private readonly TimeSpan _clientBefore;
        private readonly ProcessSample? _serverBefore;

        public Meter(int? serverPid)
        {
            _serverPid = serverPid;
            _serverBefore = serverPid is { } pid ? ProcessSample.TryRead(pid) : null;
            _clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        }

        public ResourceUse Stop()
        {
            var client = Process.GetCurrentProcess().TotalProcessorTime - _clientBefore;
            var server = _serverPid is { } pid ? ProcessSample.TryRead(pid) : null;
            if (server is not { } after || _serverBefore is not { } before)
            {
                return new ResourceUse(client, null, null, null);
            }
            return new ResourceUse(client, after.CpuTime - before.CpuTime, after.RssKiB, after.PeakRssKiB);
        }
    }
}
