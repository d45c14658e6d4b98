using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Tests.Processes;

/// <summary>
/// Grows a server's WAL without growing its backend or its key space: transactions whose compare fails, each carrying
/// a large put. The whole request goes through raft into the WAL; applying it writes nothing but the applied index.
/// </summary>
public static class WalFiller
{
    /// <summary>What one transaction adds to the WAL, about; well under --max-request-bytes.</summary>
    public const int BytesPerRequest = 512 * 1024;

    /// <summary>etcd's (and cairn's) WAL segment size: more than this many bytes of entries cut a new segment.</summary>
    public const long SegmentBytes = 64_000_000;

    private static readonly TxnRequest Filler = new()
    {
        Compare =
        {
            new Compare
            {
                Key = ByteString.CopyFromUtf8("wal-filler/absent"),
                Target = Compare.Types.CompareTarget.Value,
                Result = Compare.Types.CompareResult.Equal,
                Value = ByteString.CopyFromUtf8("never"),
            },
        },
        Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8("wal-filler/value"), Value = ByteString.CopyFrom(new byte[BytesPerRequest]) } } },
    };

    /// <summary>Sends fillers until at least <paramref name="bytes"/> went into the WAL; each must be answered (compare failed).</summary>
    public static async Task FillAsync(string clientUrl, long bytes)
    {
        using var channel = new GrpcChannel(clientUrl);
        for (long sent = 0; sent < bytes; sent += BytesPerRequest)
        {
            var response = await channel.UnaryAsync(KvCalls.Txn, Filler, new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(60) });
            if (response.Succeeded)
            {
                throw new InvalidOperationException("a WAL filler's compare succeeded: wal-filler/absent exists");
            }
        }
    }

    /// <summary>Sends fillers until <paramref name="stop"/> fires, going on through failures (a server that stops or is busy).</summary>
    public static async Task RunAsync(GrpcChannel channel, CancellationToken stop)
    {
        var options = new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(30), CancellationToken = stop };
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await channel.UnaryAsync(KvCalls.Txn, Filler, options);
            }
            catch (GrpcException)
            {
                // Timed out on a busy machine, or the server is stopping: the caller watches the server itself.
                await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped between the loop's check and the call (the client raises this, not a gRPC error).
                return;
            }
        }
    }
}
