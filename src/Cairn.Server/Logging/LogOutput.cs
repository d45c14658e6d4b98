namespace Cairn.Server.Logging;

/// <summary>A destination for formatted log lines. Calls are serialised by the logger.</summary>
internal abstract class LogOutput : IDisposable
{
    /// <summary>Writes one whole line (newline included) and flushes it.</summary>
    public abstract void Write(ReadOnlySpan<byte> line, in LogRecord record);

    public virtual void Dispose()
    {
    }
}

/// <summary>Writes to a stream (stderr, stdout, a file opened for append) and flushes every line.</summary>
internal sealed class StreamLogOutput : LogOutput
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;

    public StreamLogOutput(Stream stream, bool ownsStream)
    {
        _stream = stream;
        _ownsStream = ownsStream;
    }

    public override void Write(ReadOnlySpan<byte> line, in LogRecord record)
    {
        try
        {
            _stream.Write(line);
            _stream.Flush();
        }
        catch (IOException)
        {
            // A closed pipe or a full disk must not take the server down with it; the line is lost.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }
}

/// <summary>"/dev/null".</summary>
internal sealed class DiscardLogOutput : LogOutput
{
    public override void Write(ReadOnlySpan<byte> line, in LogRecord record)
    {
    }
}
