using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Model;

/// <summary>TLS settings for one side (client or peer), as etcd's transport.TLSInfo holds them.</summary>
/// <param name="CertFile">--cert-file / --peer-cert-file.</param>
/// <param name="KeyFile">--key-file / --peer-key-file.</param>
/// <param name="TrustedCaFile">--trusted-ca-file / --peer-trusted-ca-file.</param>
/// <param name="ClientCertAuth">--client-cert-auth / --peer-client-cert-auth.</param>
/// <param name="CrlFile">--client-crl-file / --peer-crl-file.</param>
/// <param name="AllowedCn">--peer-cert-allowed-cn (peer only).</param>
/// <param name="AllowedHostname">--client-cert-allowed-hostname / --peer-cert-allowed-hostname.</param>
/// <param name="AutoTls">--auto-tls / --peer-auto-tls.</param>
/// <param name="SkipClientSanVerify">--experimental-peer-skip-client-san-verification (peer only).</param>
public sealed record TransportSecurity(
    string CertFile,
    string KeyFile,
    string TrustedCaFile,
    bool ClientCertAuth,
    string CrlFile,
    string AllowedCn,
    string AllowedHostname,
    bool AutoTls,
    bool SkipClientSanVerify)
{
    /// <summary>True when no certificate material is configured (etcd's TLSInfo.Empty).</summary>
    public bool IsEmpty => CertFile.Length == 0 && KeyFile.Length == 0;
}

/// <summary>TLS and HTTP origin settings.</summary>
/// <param name="Client">Client-side TLS.</param>
/// <param name="Peer">Peer-side TLS.</param>
/// <param name="CipherSuites">--cipher-suites (empty: the platform's choice).</param>
/// <param name="Cors">--cors origins ("*" allows all).</param>
/// <param name="HostWhitelist">--host-whitelist ("*" or empty allows all).</param>
public sealed record SecuritySettings(
    TransportSecurity Client,
    TransportSecurity Peer,
    ImmutableArray<string> CipherSuites,
    ImmutableSortedSet<string> Cors,
    ImmutableArray<string> HostWhitelist);
