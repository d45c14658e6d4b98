namespace Cairn.Tests.Processes;

/// <summary>Which server a test starts: the oracle (Debian's etcd 3.4.23) or the system under test.</summary>
public enum ServerKind
{
    Etcd,
    Cairn,
}

internal static class ServerKindPrograms
{
    /// <summary>
    /// etcd from PATH; cairn as built with this test project (the executable project is a reference, so the test
    /// build already holds its apphost: one build per run, shared by every test), or the executable CAIRN_EXECUTABLE
    /// names (a published build).
    /// </summary>
    public static string Program(this ServerKind kind) => kind switch
    {
        ServerKind.Etcd => "etcd",
        ServerKind.Cairn => Environment.GetEnvironmentVariable("CAIRN_EXECUTABLE") is { Length: > 0 } given
            ? given
            : Path.Combine(AppContext.BaseDirectory, "cairn"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string DisplayName(this ServerKind kind) => kind == ServerKind.Etcd ? "etcd" : "cairn";
}
