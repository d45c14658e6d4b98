using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Lifecycle;
using Cairn.Server.Logging;

namespace Cairn;

/// <summary>The <c>cairn</c> executable: etcd's command line in front of the cairn server.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var signals = new ShutdownSignals();
        var launcher = new Launcher(StandardStreams.Console(), ConfigurationLoader.ProcessEnvironment(), new RoutingTableDefaultHost(),
            new ServerEntryPoint().RunAsync, SystemdNotifier.FromEnvironment(), signals);
        var status = await launcher.RunAsync(args);

        // Stopped by SIGTERM/SIGINT: end by that signal, as etcd does.
        return signals.ExitStatus(status);
    }
}
