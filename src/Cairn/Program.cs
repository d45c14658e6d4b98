using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Logging;

namespace Cairn;

/// <summary>The <c>cairn</c> executable: etcd's command line in front of the cairn server.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        new Launcher(StandardStreams.Console(), ConfigurationLoader.ProcessEnvironment(), new RoutingTableDefaultHost()).RunAsync(args);
}
