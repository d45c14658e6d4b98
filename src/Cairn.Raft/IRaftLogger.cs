namespace Cairn.Raft;

public enum RaftLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>
/// Where the core reports what it does (elections, role changes, refused requests). The core logs
/// on state transitions only, never per entry, so a logger costs nothing on the hot path.
/// </summary>
public interface IRaftLogger
{
    bool IsEnabled(RaftLogLevel level);

    void Log(RaftLogLevel level, string message);
}

/// <summary>Discards everything; the default.</summary>
public sealed class NullRaftLogger : IRaftLogger
{
    public bool IsEnabled(RaftLogLevel level) => false;

    public void Log(RaftLogLevel level, string message)
    {
    }
}
