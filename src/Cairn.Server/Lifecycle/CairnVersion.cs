using System.Reflection;
using System.Runtime.InteropServices;

namespace Cairn.Server.Lifecycle;

/// <summary>
/// Versions: the etcd API version cairn implements (what clients see in Status and /version, since they gate
/// features on it) and cairn's own version (logs and --version).
/// </summary>
public static class CairnVersion
{
    /// <summary>The etcd release whose API, files and behaviour cairn implements.</summary>
    public const string EtcdVersion = "3.4.23";

    /// <summary>The cluster version etcd 3.4 reports ("3.4.0").</summary>
    public const string EtcdClusterVersion = "3.4.0";

    /// <summary>The minimum cluster version etcd 3.4 is compatible with.</summary>
    public const string EtcdMinClusterVersion = "3.0.0";

    /// <summary>Cairn's version (the entry assembly's informational version without build metadata).</summary>
    public static string Cairn => InformationalVersion.Split('+')[0];

    /// <summary>The source revision the build recorded after '+', or etcd's "Not provided" wording.</summary>
    public static string GitSha
    {
        get
        {
            var plus = InformationalVersion.IndexOf('+');
            return plus >= 0 ? InformationalVersion[(plus + 1)..] : "Not provided";
        }
    }

    /// <summary>"linux/amd64" in Go's GOOS/GOARCH words.</summary>
    public static string OsArch
    {
        get
        {
            var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "unknown";
            var arch = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "amd64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "386",
                Architecture.Arm => "arm",
                var other => other.ToString().ToLowerInvariant(),
            };
            return os + "/" + arch;
        }
    }

    /// <summary>The text of <c>cairn --version</c>, in etcd's layout.</summary>
    public static string VersionText() =>
        $"cairn Version: {Cairn}\n" +
        $"etcd Version: {EtcdVersion}\n" +
        $"Git SHA: {GitSha}\n" +
        $".NET Version: {Environment.Version}\n" +
        $"OS/Arch: {OsArch}\n";

    private static string InformationalVersion =>
        (Assembly.GetEntryAssembly() ?? typeof(CairnVersion).Assembly)
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
