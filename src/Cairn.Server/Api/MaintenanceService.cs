using System.Security.Cryptography;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Google.Protobuf;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's Maintenance service: Status (what `etcdctl endpoint status` shows), Snapshot (the
/// backend streamed in 32 KiB chunks, then its SHA-256, which `etcdctl snapshot save` checks),
/// Defragment and Hash.
/// </summary>
public sealed class MaintenanceService(MemberServer server, ServerLogger log)
{
    /// <summary>etcd's snapshotSendBufferSize.</summary>
    private const int SnapshotChunkSize = 32 * 1024;

    private readonly ServerLogger _log = log.ForPackage("etcdserver/api/v3rpc");

    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Maintenance.Status, EtcdHandlers.Unary<StatusRequest, StatusResponse>(StatusAsync))
        .AddServerStreaming(EtcdMethods.Maintenance.Snapshot, EtcdHandlers.ServerStreaming<SnapshotRequest, SnapshotResponse>(SnapshotAsync))
        .AddUnary(EtcdMethods.Maintenance.Defragment, EtcdHandlers.Unary<DefragmentRequest, DefragmentResponse>(DefragmentAsync))
        .AddUnary(EtcdMethods.Maintenance.Hash, EtcdHandlers.Unary<HashRequest, HashResponse>(HashAsync));

    private ValueTask<StatusResponse> StatusAsync(StatusRequest request, GrpcCallContext context) =>
        ValueTask.FromResult(new StatusResponse
        {
            Header = server.Header(server.Store.CurrentRevision),
            Version = ClusterVersions.Server,
            DbSize = server.Backend.Size,
            DbSizeInUse = server.Backend.SizeInUse,
            Leader = server.Leader,
            RaftIndex = server.Raft.CommittedIndex,
            RaftTerm = server.Raft.Term,
            RaftAppliedIndex = server.Applied.Value,
            IsLearner = server.Membership.Find(server.Id)?.IsLearner ?? false,
        });

    private async Task SnapshotAsync(SnapshotRequest request, IGrpcStreamWriter<SnapshotResponse> responses, GrpcCallContext context)
    {
        using var snapshot = server.Backend.OpenSnapshot();
        _log.Info("sending database snapshot to client", [LogField.Int("total-bytes", snapshot.Size)],
            capnslog: $"sending database snapshot to client {snapshot.Size} bytes");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new SnapshotChunkStream(snapshot.Size, sha, responses);
        await snapshot.WriteToAsync(chunks, context.CancellationToken).ConfigureAwait(false);
        await chunks.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        await responses.WriteAsync(new SnapshotResponse { RemainingBytes = 0, Blob = ByteString.CopyFrom(sha.GetHashAndReset()) }, context.CancellationToken).ConfigureAwait(false);
        _log.Info("sent database snapshot to client", [LogField.Int("total-bytes", snapshot.Size)],
            capnslog: $"sent database snapshot to client {snapshot.Size} bytes");
    }

    private async ValueTask<DefragmentResponse> DefragmentAsync(DefragmentRequest request, GrpcCallContext context)
    {
        _log.Info("starting defragment", capnslog: "starting to defragment the storage backend...");
        await server.Backend.DefragmentAsync(context.CancellationToken).ConfigureAwait(false);
        _log.Info("finished defragment", capnslog: "finished defragmenting the storage backend");
        return new DefragmentResponse { Header = server.Header(server.Store.CurrentRevision) };
    }

    private ValueTask<HashResponse> HashAsync(HashRequest request, GrpcCallContext context) =>
        ValueTask.FromResult(new HashResponse { Header = server.Header(server.Store.CurrentRevision), Hash = server.Backend.Hash() });

    /// <summary>Cuts what the backend writes into etcd's 32 KiB snapshot messages, hashing as it goes.</summary>
    private sealed class SnapshotChunkStream(long total, IncrementalHash sha, IGrpcStreamWriter<SnapshotResponse> responses) : Stream
    {
        private readonly byte[] _buffer = new byte[SnapshotChunkSize];
        private int _filled;
        private long _sent;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _sent + _filled; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            while (!data.IsEmpty)
            {
                int n = Math.Min(data.Length, _buffer.Length - _filled);
                data.Span[..n].CopyTo(_buffer.AsSpan(_filled));
                _filled += n;
                data = data[n..];
                if (_filled == _buffer.Length)
                {
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_filled > 0)
            {
                await SendAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("write asynchronously");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private async Task SendAsync(CancellationToken cancellationToken)
        {
            sha.AppendData(_buffer, 0, _filled);
            _sent += _filled;
            var message = new SnapshotResponse
            {
                RemainingBytes = (ulong)Math.Max(0, total - _sent),
                Blob = ByteString.CopyFrom(_buffer, 0, _filled),
            };
            _filled = 0;
            await responses.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}
