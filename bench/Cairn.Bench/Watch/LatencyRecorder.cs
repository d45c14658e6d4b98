using System.Diagnostics;
using Cairn.Bench.Kv;

namespace Cairn.Bench.Watch;

/// <summary>
/// Put-to-event latencies of one measurement: every event of a put sent since <see cref="Begin"/>
/// counts; those received before the sender stopped count as delivered within the window. Each
/// stream reader records into its own <see cref="Tally"/> (one uncontended lock per response,
/// not a shared one per event); a measurement's end merges them.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly List<Tally> _tallies = [];
    private long _failedPuts;

    public long Events
    {
        get
        {
            long events = 0;
            foreach (var t in Snapshot())
            {
                events += Volatile.Read(ref t.Events);
            }
            return events;
        }
    }

    public long FailedPuts => Interlocked.Read(ref _failedPuts);

    public void PutFailed() => Interlocked.Increment(ref _failedPuts);

    /// <summary>A tally for one reader.</summary>
    public Tally NewTally()
    {
        var tally = new Tally();
        lock (_tallies)
        {
            _tallies.Add(tally);
        }
        return tally;
    }

    public void Begin(long start)
    {
        foreach (var t in Snapshot())
        {
            lock (t)
            {
                t.Histogram = new LatencyHistogram();
                t.WindowStart = start;
                t.SendingEnded = long.MaxValue;
                t.Events = 0;
                t.InWindow = 0;
            }
        }
        Interlocked.Exchange(ref _failedPuts, 0);
    }

    public void StopSending(long at)
    {
        foreach (var t in Snapshot())
        {
            lock (t)
            {
                t.SendingEnded = at;
            }
        }
    }

    /// <summary>Events, events received while sending, p50, p99, max latency in ms, and puts refused.</summary>
    public (long Events, long InWindow, double P50, double P99, double Max, long FailedPuts) End()
    {
        var all = new LatencyHistogram();
        long events = 0, inWindow = 0;
        foreach (var t in Snapshot())
        {
            lock (t)
            {
                all.Add(t.Histogram);
                events += t.Events;
                inWindow += t.InWindow;
                t.WindowStart = long.MaxValue;
            }
        }
        static double Ms(double nanos) => nanos / 1e6;
        return (events, inWindow, Ms(all.PercentileNanos(0.50)), Ms(all.PercentileNanos(0.99)),
            all.Count == 0 ? double.NaN : Ms(all.MaxNanos), Interlocked.Read(ref _failedPuts));
    }

    private Tally[] Snapshot()
    {
        lock (_tallies)
        {
            return [.. _tallies];
        }
    }

    /// <summary>What one reader received in the current measurement.</summary>
    internal sealed class Tally
    {
        internal LatencyHistogram Histogram = new();
        internal long WindowStart = long.MaxValue;
        internal long SendingEnded = long.MaxValue;
        internal long Events;
        internal long InWindow;

        /// <summary>Records the events of one response, received at <paramref name="receivedAt"/> (Stopwatch ticks).</summary>
        public void Record(ReadOnlySpan<long> sentAt, long receivedAt)
        {
            lock (this)
            {
                foreach (long sent in sentAt)
                {
                    if (sent < WindowStart)
                    {
                        continue; // a late event of the previous phase
                    }
                    Events++;
                    if (receivedAt <= SendingEnded)
                    {
                        InWindow++;
                    }
                    Histogram.Record((long)((receivedAt - sent) * (1e9 / Stopwatch.Frequency)));
                }
            }
        }
    }
}
