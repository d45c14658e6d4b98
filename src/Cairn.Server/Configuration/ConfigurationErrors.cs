namespace Cairn.Server.Configuration;

/// <summary>
/// The command line itself is malformed (unknown flag, missing or unparsable value): etcd prints the message and
/// its usage text to stderr and exits with status 2, before any logging exists.
/// </summary>
public sealed class FlagSyntaxException(string message) : Exception(message);

/// <summary>
/// The configuration cannot be used (a bad value, a failed check, an unreadable config file): etcd logs
/// "error verifying flags, ..." (or prints the message alone when <see cref="PrintBare"/>) and exits with status 1.
/// </summary>
public sealed class ConfigurationException(string message) : Exception(message)
{
    /// <summary>etcd prints some config-file errors as a bare line on stderr rather than through its logger.</summary>
    public bool PrintBare { get; init; }

    /// <summary>True for etcd's ErrUnsetAdvertiseClientURLsFlag, after which it prints an extra hint.</summary>
    public bool IsMissingAdvertiseClientUrls { get; init; }
}
