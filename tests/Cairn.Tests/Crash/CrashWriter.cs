using System.Collections.Concurrent;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;

namespace Cairn.Tests.Crash;

/// <summary>
/// Many concurrent clients (over the project's gRPC client) putting unique keys as fast as they can until stopped,
/// recording every put the server acknowledged. Keys are <c>crash/{round}/{client}/{sequence}</c>, so no key is
/// written twice and a value names its write.
/// </summary>
public sealed class CrashWriter
{
    public const string Prefix = "crash/";

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

    /// <summary>Runs <paramref name="clients"/> put loops on the channel until <paramref name="stop"/> fires; returns once every last put ended.</summary>
    public Task RunAsync(GrpcChannel channel, int round, int clients, int valueBytes, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => WriteAsync(channel, round, client, valueBytes, stop), CancellationToken.None)));

    private async Task WriteAsync(GrpcChannel channel, int round, int client, int valueBytes, CancellationToken stop)
    {
        var options = new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(30), CancellationToken = stop };
        for (var sequence = 0; !stop.IsCancellationRequested; sequence++)
        {
            var key = $"{Prefix}{round:D3}/{client:D3}/{sequence:D6}";
            var value = $"{key}={new string((char)('a' + (sequence % 26)), valueBytes)}";
            Interlocked.Increment(ref _attempts);
            try
            {
                var response = await channel.UnaryAsync(KvCalls.Put, new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) }, options);
                Acknowledge(new AcknowledgedWrite(key, value, response.Header.Revision));
            }
            catch (GrpcException)
            {
                // Failed, timed out or cut off by the kill: not acknowledged, so it may or may not be there.
                // Back off briefly so a server that is down is not spun against.
                await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped between the loop's check and the call: that put was never sent.
                return;
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
