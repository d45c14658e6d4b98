using System.Diagnostics;

namespace Cairn.Bench.Watch;

/// <summary>
/// Put-to-event latencies of one measurement: every event of a put sent since <see cref="Begin"/>
/// counts; those received before the sender stopped count as delivered within the window.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly object _gate = new();
    private List<long> _latencies = [];
    private long _windowStart;
    private long _sendingEnded = long.MaxValue;
    private long _events;
    private long _inWindow;
    private long _failedPuts;

    public long Events => Interlocked.Read(ref _events);

    public long FailedPuts => Interlocked.Read(ref _failedPuts);

    public void PutFailed() => Interlocked.Increment(ref _failedPuts);

    public void Begin(long start)
    {
        lock (_gate)
        {
            _latencies = new List<long>(1 << 20);
            _windowStart = start;
            _sendingEnded = long.MaxValue;
            _events = 0;
            _inWindow = 0;
            _failedPuts = 0;
        }
    }

    public void StopSending(long at)
    {
        lock (_gate)
        {
            _sendingEnded = at;
        }
    }

    public void Record(long sentAt, long receivedAt)
    {
        lock (_gate)
        {
            if (sentAt < _windowStart)
            {
                return; // a late event of the previous phase
            }
            _events++;
            if (receivedAt <= _sendingEnded)
            {
                _inWindow++;
            }
            _latencies.Add(receivedAt - sentAt);
        }
    }

    /// <summary>Events, events received while sending, p50, p99, max latency in ms, and puts refused.</summary>
    public (long Events, long InWindow, double P50, double P99, double Max, long FailedPuts) End()
    {
        lock (_gate)
        {
            var sorted = _latencies.ToArray();
            Array.Sort(sorted);
            double Ms(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
            var result = (_events, _inWindow, Ms(0.50), Ms(0.99), sorted.Length == 0 ? double.NaN : sorted[^1] * 1000.0 / Stopwatch.Frequency, Interlocked.Read(ref _failedPuts));
            _windowStart = long.MaxValue;
            return result;
        }
    }
}
