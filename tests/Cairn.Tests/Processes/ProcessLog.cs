using System.Text;

namespace Cairn.Tests.Processes;

/// <summary>
/// The lines a server printed on stdout and stderr, in arrival order, with a way to await a line. Kept whole so that
/// a failing test can print it.
/// </summary>
public sealed class ProcessLog
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _openStreams = 2;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>True once both output streams have ended (the process exited and its output was read).</summary>
    public bool Closed
    {
        get
        {
            lock (_gate)
            {
                return _openStreams == 0;
            }
        }
    }

    /// <summary>Adds a line, or ends one stream when <paramref name="line"/> is null (as Process's output events do).</summary>
    internal void Receive(string? line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is null)
            {
                _openStreams--;
            }
            else
            {
                _lines.Add(line);
            }

            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>Waits for a line containing one of <paramref name="texts"/>; fails when the output ends without one.</summary>
    public async Task<string> WaitForAsync(IReadOnlyCollection<string> texts, CancellationToken cancellationToken)
    {
        var seen = 0;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (texts.Any(t => _lines[seen].Contains(t, StringComparison.Ordinal)))
                    {
                        return _lines[seen];
                    }
                }

                if (_openStreams == 0)
                {
                    throw new InvalidOperationException($"the process's output ended without a line containing {string.Join(" or ", texts.Select(t => $"'{t}'"))}");
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in Lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
