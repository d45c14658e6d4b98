namespace Cairn.Server.Configuration.Flags;

/// <summary>The groups of <c>etcd --help</c>, in the order it prints them; <see cref="Hidden"/> flags are accepted but not listed.</summary>
public enum FlagSection
{
    Member,
    Clustering,
    Security,
    Auth,
    ProfilingAndMonitoring,
    Logging,
    V2Proxy,
    Experimental,
    Unsafe,
    ToBeDeprecated,
    Hidden,
}
