namespace Cairn.Server.Membership;

/// <summary>The versions a member announces and the cluster agrees on.</summary>
public static class ClusterVersions
{
    /// <summary>The etcd server version this member implements (what peers and clients see).</summary>
    public const string Server = Lifecycle.CairnVersion.EtcdVersion;

    /// <summary>The cluster version this member proposes when it decides one: its own major.minor.0.</summary>
    public const string Cluster = "3.4.0";

    /// <summary>"3.4.0" → "3.4", as etcd prints cluster versions.</summary>
    public static string MajorMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : version;
    }
}
