namespace Cairn.Server.Configuration.Model;

/// <summary>--proxy.</summary>
public enum ProxyMode
{
    Off,
    ReadOnly,
    On,
}

/// <summary>The v2 proxy's settings (the proxy itself is not served: any mode but off refuses to start).</summary>
public sealed record ProxySettings(
    ProxyMode Mode,
    TimeSpan FailureWait,
    TimeSpan RefreshInterval,
    TimeSpan DialTimeout,
    TimeSpan WriteTimeout,
    TimeSpan ReadTimeout);
