using System.Diagnostics;

namespace Cairn.Bench.Kv;

/// <summary>
/// Closed-loop load, as etcd's benchmark tool makes it: each client sends its next request only
/// once the previous one has been answered. Requests are numbered from one shared counter (the
/// number picks the key when keys are sequential); the run ends after <c>total</c> requests or at
/// the deadline, whichever comes first.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(
        IReadOnlyList<KvRequestSender> clients, KeySpace keys, long total, TimeSpan? duration, int seed,
        TextWriter? progress = null, string phase = "")
    {
        long issued = 0;
        var errors = new ErrorTally();
        var histograms = new LatencyHistogram[clients.Count];
        var started = Stopwatch.GetTimestamp();
        var stopAt = duration is { } d ? started + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var workers = new Task[clients.Count];
        for (var c = 0; c < clients.Count; c++)
        {
            var histogram = histograms[c] = new LatencyHistogram();
            var sender = clients[c];
            var random = new Random(unchecked(seed + (c * 7919)));
            workers[c] = Task.Run(async () =>
            {
                while (true)
                {
                    var number = Interlocked.Increment(ref issued) - 1;
                    var before = Stopwatch.GetTimestamp();
                    if (number >= total || before >= stopAt)
                    {
                        return;
                    }
                    var key = keys.Sequential ? number % keys.Size : random.NextInt64(keys.Size);
                    try
                    {
                        await sender.SendAsync(key).ConfigureAwait(false);
                        histogram.Record(ToNanos(Stopwatch.GetTimestamp() - before));
                    }
                    catch (Exception e)
                    {
                        errors.Record(e);
                    }
                }
            });
        }
        using var ticking = new CancellationTokenSource();
        var ticker = progress is null ? Task.CompletedTask : PrintProgressAsync(progress, phase, () => Volatile.Read(ref issued), ticking.Token);
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        // The last worker may have ended on a connection's reader thread (the hand-framed client
        // runs callers there); what follows must not hold it up, nor dispose its connection on it.
        await Task.Yield();
        await ticking.CancelAsync().ConfigureAwait(false);
        await ticker.ConfigureAwait(false);
        var merged = new LatencyHistogram();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }
        return new LoadResult(merged, errors, elapsed);
    }

    /// <summary>Requests started in each second: shows when a server (or its JIT) has warmed up.</summary>
    private static async Task PrintProgressAsync(TextWriter output, string phase, Func<long> issued, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var last = 0L;
        var second = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = issued();
                await output.WriteLineAsync($"  {phase} {++second,3} s: {now - last,8:N0} requests/s").ConfigureAwait(false);
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static long ToNanos(long ticks) =>
        Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1e9 / Stopwatch.Frequency));
}

/// <summary>What a run measured: latencies of the answered requests, the failures, the wall time.</summary>
internal sealed record LoadResult(LatencyHistogram Latencies, ErrorTally Errors, TimeSpan Elapsed)
{
    public double RequestsPerSecond => Latencies.Count / Elapsed.TotalSeconds;
}
