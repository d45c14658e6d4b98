using Cairn.Protocol.Raftpb;
using Cairn.Storage.Crc;
using Google.Protobuf;
using SnapFile = Cairn.Protocol.Snappb.snapshot;

namespace Cairn.Storage.Snap;

/// <summary>
/// The content of a <c>.snap</c> file: <c>snappb.Snapshot{crc, data}</c> where data is the
/// marshalled <c>raftpb.Snapshot</c> and crc its CRC-32C, marshalled as etcd's gogo code does
/// (every non-nullable field of the snapshot's metadata written, zero or not).
/// </summary>
public static class SnapFileCodec
{
    public static byte[] Encode(Snapshot snapshot)
    {
        byte[] data = ToEtcdShape(snapshot).ToByteArray();
        var file = new SnapFile { Crc = Crc32C.Compute(data), Data = ByteString.CopyFrom(data) };
        return file.ToByteArray();
    }

    /// <summary>Decodes and verifies a snap file's bytes; <paramref name="path"/> names it in errors.</summary>
    public static Snapshot Decode(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.IsEmpty)
        {
            throw new SnapException(SnapErrorKind.EmptySnapshot, path);
        }
        SnapFile file;
        try
        {
            file = SnapFile.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SnapException(SnapErrorKind.Corrupt, path, e.Message);
        }
        if (file.Data.IsEmpty || file.Crc == 0)
        {
            throw new SnapException(SnapErrorKind.EmptySnapshot, path);
        }
        uint crc = Crc32C.Compute(file.Data.Span);
        if (crc != file.Crc)
        {
            throw new SnapException(SnapErrorKind.CrcMismatch, path, $"file says {file.Crc:x8}, data has {crc:x8}");
        }
        try
        {
            return ToEtcdShape(Snapshot.Parser.ParseFrom(file.Data.Span));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SnapException(SnapErrorKind.Corrupt, path, e.Message);
        }
    }

    /// <summary>
    /// A copy with every field etcd always writes set (metadata, conf state, auto_leave, index,
    /// term), so that it marshals byte for byte as etcd would marshal the same snapshot.
    /// </summary>
    public static Snapshot ToEtcdShape(Snapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        var conf = metadata?.ConfState;
        var shapedConf = new ConfState { AutoLeave = conf?.AutoLeave ?? false };
        if (conf is not null)
        {
            shapedConf.Voters.AddRange(conf.Voters);
            shapedConf.Learners.AddRange(conf.Learners);
            shapedConf.VotersOutgoing.AddRange(conf.VotersOutgoing);
            shapedConf.LearnersNext.AddRange(conf.LearnersNext);
        }
        var shaped = new Snapshot { Metadata = SnapshotMetadata.Of(shapedConf, metadata?.Index ?? 0, metadata?.Term ?? 0) };
        if (snapshot.HasData)
        {
            shaped.Data = snapshot.Data;
        }
        return shaped;
    }
}
