using Cairn.Raft;
using Cairn.Server.Logging;

namespace Cairn.Server.Consensus;

/// <summary>Routes the Raft core's state-transition logs to the server's logger, as etcd's raft package logs.</summary>
public sealed class RaftLogAdapter(ServerLogger log) : IRaftLogger
{
    private readonly ServerLogger _log = log.ForPackage("raft");

    public bool IsEnabled(RaftLogLevel level) => _log.IsEnabled(ToLevel(level));

    public void Log(RaftLogLevel level, string message) => _log.Log(ToLevel(level), message, capnslog: message);

    private static LogLevel ToLevel(RaftLogLevel level) => level switch
    {
        RaftLogLevel.Debug => LogLevel.Debug,
        RaftLogLevel.Info => LogLevel.Info,
        RaftLogLevel.Warning => LogLevel.Warn,
        _ => LogLevel.Error,
    };
}
