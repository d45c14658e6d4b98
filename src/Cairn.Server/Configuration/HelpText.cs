using System.Text;
using Cairn.Server.Configuration.Flags;

namespace Cairn.Server.Configuration;

/// <summary>
/// etcd's <c>--help</c> output with cairn's name: the usage lines (which etcd writes to stderr) and the flag list
/// (which it writes to stdout), the latter generated from <see cref="FlagTable"/>.
/// </summary>
public static class HelpText
{
    /// <summary>etcd's usage text, naming cairn; etcd prints it, plus a newline, on stderr for -h and for flag errors.</summary>
    public const string Usage = """
        Usage:

          cairn [flags]
            Start a cairn server.

          cairn --version
            Show the version of cairn.

          cairn -h | --help
            Show the help information about cairn.

          cairn --config-file
            Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored.

          cairn gateway
            Run the stateless pass-through etcd TCP connection forwarding proxy.

          cairn grpc-proxy
            Run the stateless etcd v3 gRPC L7 reverse proxy.

        """;

    /// <summary>The flag list as etcd prints it on stdout for -h (ends with an empty line, as etcd's does).</summary>
    public static string Flags()
    {
        var text = new StringBuilder();
        foreach (var section in Enum.GetValues<FlagSection>().Where(s => s != FlagSection.Hidden))
        {
            text.Append(Header(section));
            foreach (var flag in FlagTable.All.Where(f => f.Section == section))
            {
                text.Append("  --").Append(flag.Name).Append(' ').Append(flag.HelpDefault).Append('\n');
                foreach (var line in flag.Help.Split('\n'))
                {
                    text.Append("    ").Append(line).Append('\n');
                }
            }
        }

        return text.Append('\n').ToString();
    }

    private static string Header(FlagSection section) => section switch
    {
        FlagSection.Member => "\nMember:\n",
        FlagSection.Clustering => "\nClustering:\n",
        FlagSection.Security => "\nSecurity:\n",
        FlagSection.Auth => "\nAuth:\n",
        FlagSection.ProfilingAndMonitoring => "\nProfiling and Monitoring:\n",
        FlagSection.Logging => "\nLogging:\n",
        FlagSection.V2Proxy => "\nv2 Proxy (to be deprecated in v4):\n",
        FlagSection.Experimental => "\nExperimental feature:\n",
        FlagSection.Unsafe => "\nUnsafe feature:\n",
        FlagSection.ToBeDeprecated => "\nCAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!\n\nTO BE DEPRECATED:\n\n",
        _ => string.Empty,
    };
}
