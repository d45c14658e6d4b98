using System.Text;
using System.Text.Json;
using Cairn.Protocol.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// A sequence of WAL calls (save, snapshot, release) that can be replayed through Cairn's WAL
/// and, as JSON, through etcd's Go WAL by walcheck, so the two outputs can be compared.
/// </summary>
public sealed class WalScript
{
    public abstract record Op;

    public sealed record SaveOp(HardState State, IReadOnlyList<Entry> Entries) : Op;

    public sealed record SnapshotOp(ulong Index, ulong Term) : Op;

    public sealed record ReleaseOp(ulong Index) : Op;

    public WalScript(byte[]? metadata)
    {
        Metadata = metadata;
    }

    public byte[]? Metadata { get; }

    public List<Op> Ops { get; } = [];

    /// <summary>Every entry saved, in order (later ones with the same index replace earlier ones when read).</summary>
    public IEnumerable<Entry> SavedEntries => Ops.OfType<SaveOp>().SelectMany(s => s.Entries);

    /// <summary>
    /// A random but reproducible script: batches of 1 to <paramref name="maxBatch"/> entries with data of
    /// 0 to <paramref name="maxData"/> bytes (some without data, some conf changes), hard states
    /// whose term rises, occasional snapshots and releases.
    /// </summary>
    public static WalScript Random(int seed, int batches, int maxBatch = 8, int maxData = 600)
    {
        var random = new Random(seed);
        var script = new WalScript(Encoding.UTF8.GetBytes($"metadata-{seed}"));
        ulong index = 0, term = 1;
        for (int b = 0; b < batches; b++)
        {
            if (random.Next(10) == 0)
            {
                term++;
            }
            var entries = new List<Entry>();
            int count = random.Next(4) == 0 ? 0 : random.Next(1, maxBatch + 1);
            for (int i = 0; i < count; i++)
            {
                index++;
                int size = random.Next(maxData + 1);
                ByteString? data = random.Next(8) == 0 ? null : ByteString.CopyFrom(RandomBytes(random, size));
                var type = random.Next(20) == 0 ? EntryType.EntryConfChange : EntryType.EntryNormal;
                entries.Add(Entry.Of(term, index, type, data));
            }
            script.Ops.Add(new SaveOp(HardState.Of(term, (ulong)random.Next(4), index), entries));
            if (random.Next(12) == 0 && index > 0)
            {
                script.Ops.Add(new SnapshotOp(index, term));
                if (random.Next(2) == 0)
                {
                    script.Ops.Add(new ReleaseOp(index));
                }
            }
        }
        return script;
    }

    public void ApplyTo(WriteAheadLog wal)
    {
        foreach (var op in Ops)
        {
            switch (op)
            {
                case SaveOp save:
                    wal.Save(save.State, save.Entries);
                    break;
                case SnapshotOp snap:
                    wal.SaveSnapshot(new WalSnapshot { Index = snap.Index, Term = snap.Term });
                    break;
                case ReleaseOp release:
                    wal.ReleaseLockTo(release.Index);
                    break;
            }
        }
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            WriteBytes(w, "metadata", Metadata);
            w.WriteStartArray("ops");
            foreach (var op in Ops)
            {
                w.WriteStartObject();
                switch (op)
                {
                    case SaveOp save:
                        w.WriteStartObject("save");
                        w.WriteStartObject("state");
                        w.WriteNumber("term", save.State.Term);
                        w.WriteNumber("vote", save.State.Vote);
                        w.WriteNumber("commit", save.State.Commit);
                        w.WriteEndObject();
                        w.WriteStartArray("entries");
                        foreach (var e in save.Entries)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("term", e.Term);
                            w.WriteNumber("index", e.Index);
                            w.WriteNumber("type", (int)e.Type);
                            WriteBytes(w, "data", e.HasData ? e.Data.ToByteArray() : null);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                        break;
                    case SnapshotOp snap:
                        w.WriteStartObject("snapshot");
                        w.WriteNumber("index", snap.Index);
                        w.WriteNumber("term", snap.Term);
                        w.WriteEndObject();
                        break;
                    case ReleaseOp release:
                        w.WriteNumber("release", release.Index);
                        break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteBytes(Utf8JsonWriter w, string name, byte[]? bytes)
    {
        if (bytes is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteBase64String(name, bytes);
        }
    }

    private static byte[] RandomBytes(Random random, int size)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }
}
