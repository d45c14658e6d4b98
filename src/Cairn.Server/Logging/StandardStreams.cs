namespace Cairn.Server.Logging;

/// <summary>The process's stdout and stderr, as raw streams (so tests can pass their own).</summary>
public sealed record StandardStreams(Stream Stdout, Stream Stderr)
{
    /// <summary>The real process streams, unbuffered.</summary>
    public static StandardStreams Console() => new(System.Console.OpenStandardOutput(), System.Console.OpenStandardError());
}
