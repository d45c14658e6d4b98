using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Model;

/// <summary>--auth-token split as etcd splits it: a type ("simple", "jwt") and its "key=value" options.</summary>
public sealed record AuthTokenOptions(string Type, ImmutableDictionary<string, string> Options)
{
    public static readonly AuthTokenOptions Simple = new("simple", ImmutableDictionary<string, string>.Empty);
}

/// <summary>v3 authentication settings.</summary>
/// <param name="Token">--auth-token.</param>
/// <param name="BcryptCost">--bcrypt-cost, with etcd's fallback to 10 outside 4..31 applied.</param>
/// <param name="TokenTtl">--auth-token-ttl.</param>
public sealed record AuthSettings(AuthTokenOptions Token, int BcryptCost, TimeSpan TokenTtl);
