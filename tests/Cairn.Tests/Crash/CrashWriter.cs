using System.Collections.Concurrent;

namespace Cairn.Tests.Crash;

/// <summary>
/// Several clients putting unique keys as fast as they can until stopped, recording every acknowledged put. Keys
/// are <c>crash/{round}/{client}/{sequence}</c>, so no key is written twice and a value names its write.
/// </summary>
public sealed class CrashWriter
{
    private readonly ConcurrentQueue<AcknowledgedWrite> _acknowledged = new();
    private readonly object _gate = new();
    private (int Count, TaskCompletionSource Reached)? _threshold;
    private int _attempts;

    public IReadOnlyCollection<AcknowledgedWrite> Acknowledged => _acknowledged;

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Completes once <paramref name="count"/> puts in all were acknowledged: a moment to kill the server at.</summary>
    public Task WhenAcknowledged(int count)
    {
        lock (_gate)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_acknowledged.Count >= count)
            {
                reached.SetResult();
            }
            else
            {
                _threshold = (count, reached);
            }

            return reached.Task;
        }
    }

    /// <summary>Runs the clients until <paramref name="stop"/> fires; returns once every client's last put ended.</summary>
    public Task RunAsync(int round, IReadOnlyList<IPutClient> clients, int valueBytes, CancellationToken stop) =>
        Task.WhenAll(clients.Select((client, index) => Task.Run(() => WriteAsync(round, index, client, valueBytes, stop), CancellationToken.None)));

    private async Task WriteAsync(int round, int clientIndex, IPutClient client, int valueBytes, CancellationToken stop)
    {
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var key = $"crash/{round:D3}/{clientIndex:D3}/{sequence:D6}";
            var value = $"{key}={new string((char)('a' + (sequence % 26)), valueBytes)}";
            Interlocked.Increment(ref _attempts);
            if (await client.PutAsync(key, value, stop) is { } revision)
            {
                Acknowledge(new AcknowledgedWrite(key, value, revision));
            }
        }
    }

    private void Acknowledge(AcknowledgedWrite write)
    {
        TaskCompletionSource? reached = null;
        lock (_gate)
        {
            _acknowledged.Enqueue(write);
            if (_threshold is { } threshold && _acknowledged.Count >= threshold.Count)
            {
                reached = threshold.Reached;
                _threshold = null;
            }
        }

        reached?.SetResult();
    }
}
