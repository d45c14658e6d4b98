using System.Buffers.Binary;
using System.Text;
using Cairn.Protocol.Authpb;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Bolt;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Storage.Backend;

/// <summary>
/// A consistent view of an etcd backend through its schema: revisions, the consistent index,
/// compaction marks, leases, members, cluster version, alarms and auth data, decoded. A write
/// transaction is also a read transaction and sees its own changes. Spans it returns live as long
/// as the transaction; decoded messages are copies.
/// </summary>
public class BackendReadTransaction : IDisposable
{
    private readonly Dictionary<string, BoltBucket> _buckets = new(StringComparer.Ordinal);

    internal BackendReadTransaction(BoltTransaction tx)
    {
        Bolt = tx;
    }

    /// <summary>The underlying bolt transaction; internal, as the schema is this class's to decode.</summary>
    internal BoltTransaction Bolt { get; }

    private protected string File => Bolt.Database.Path;

    /// <summary>The database size in bytes as this transaction sees it.</summary>
    public long Size => Bolt.Size;

    /// <summary>The index of the last raft entry this backend reflects; 0 when none was recorded.</summary>
    public ulong ConsistentIndex =>
        Meta.TryGet(BackendKeys.ConsistentIndex, out var v) ? ReadUInt64(v, BackendBuckets.Meta, BackendKeys.ConsistentIndex) : 0;

    /// <summary>The main revision a compaction was last scheduled at, or null.</summary>
    public long? ScheduledCompactRevision => CompactMark(BackendKeys.ScheduledCompactRevision);

    /// <summary>The main revision the last compaction finished at, or null.</summary>
    public long? FinishedCompactRevision => CompactMark(BackendKeys.FinishedCompactRevision);

    /// <summary>The record at exactly <paramref name="revision"/>, or null.</summary>
    public KeyValue? GetRevision(Revision revision, out bool tombstone)
    {
        Span<byte> key = stackalloc byte[Revision.Size];
        revision.WriteTo(key);
        var c = Bucket(BackendBuckets.Key).Cursor();
        if (c.Seek(key) && c.Key.StartsWith(key) && Revision.TryParse(c.Key, out var found, out tombstone) && found == revision)
        {
            return KeyValue.Parser.ParseFrom(c.Value);
        }
        tombstone = false;
        return null;
    }

    /// <summary>The key bucket's records in [<paramref name="from"/>, <paramref name="to"/>), in revision order.</summary>
    public RevisionRange Revisions(Revision from, Revision to) => new(Bucket(BackendBuckets.Key).Cursor(), from, to, File);

    /// <summary>Every record of the key bucket.</summary>
    public RevisionRange AllRevisions() => Revisions(new Revision(0, 0), new Revision(long.MaxValue, long.MaxValue));

    /// <summary>The highest revision in the key bucket, or null when it is empty.</summary>
    public Revision? LastRevision()
    {
        var c = Bucket(BackendBuckets.Key).Cursor();
        if (!c.Last())
        {
            return null;
        }
        if (!Revision.TryParse(c.Key, out var revision, out _))
        {
            throw BackendException.Malformed(File, BackendBuckets.Key, c.Key, "not a revision key");
        }
        return revision;
    }

    /// <summary>Every persisted lease, by id.</summary>
    public IReadOnlyList<LeaseRecord> Leases() => Decode(BackendBuckets.Lease, (_, v) => LeaseRecord.Parser.ParseFrom(v));

    /// <summary>The members, in key order.</summary>
    public IReadOnlyList<MemberRecord> Members() => Decode(BackendBuckets.Members, (_, v) => MemberRecord.FromJson(v));

    /// <summary>The ids of removed members.</summary>
    public IReadOnlyList<ulong> RemovedMembers() => Decode(BackendBuckets.MembersRemoved, (k, _) => MemberRecord.ParseKey(k));

    /// <summary>The cluster version ("3.4.0"), or null before one was decided.</summary>
    public string? ClusterVersion =>
        Bucket(BackendBuckets.Cluster).TryGet(BackendKeys.ClusterVersion, out var v) ? Encoding.UTF8.GetString(v) : null;

    /// <summary>The raised alarms.</summary>
    public IReadOnlyList<AlarmMember> Alarms() => Decode(BackendBuckets.Alarm, (k, _) => AlarmMember.Parser.ParseFrom(k));

    /// <summary>Whether authentication is enabled.</summary>
    public bool AuthEnabled => Bucket(BackendBuckets.Auth).TryGet(BackendKeys.AuthEnabled, out var v) && v.Length == 1 && v[0] == 1;

    /// <summary>The auth store revision.</summary>
    public ulong AuthRevision =>
        Bucket(BackendBuckets.Auth).TryGet(BackendKeys.AuthRevision, out var v) ? ReadUInt64(v, BackendBuckets.Auth, BackendKeys.AuthRevision) : 0;

    public User? GetUser(string name) =>
        Bucket(BackendBuckets.AuthUsers).TryGet(Encoding.UTF8.GetBytes(name), out var v) ? User.Parser.ParseFrom(v) : null;

    public IReadOnlyList<User> Users() => Decode(BackendBuckets.AuthUsers, (_, v) => User.Parser.ParseFrom(v));

    public Role? GetRole(string name) =>
        Bucket(BackendBuckets.AuthRoles).TryGet(Encoding.UTF8.GetBytes(name), out var v) ? Role.Parser.ParseFrom(v) : null;

    public IReadOnlyList<Role> Roles() => Decode(BackendBuckets.AuthRoles, (_, v) => Role.Parser.ParseFrom(v));

    /// <summary>Ends the transaction (a write transaction is rolled back unless committed).</summary>
    public void Dispose()
    {
        Bolt.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected BoltBucket Meta => Bucket(BackendBuckets.Meta);

    private protected BoltBucket Bucket(ReadOnlySpan<byte> name)
    {
        var key = Encoding.ASCII.GetString(name);
        if (_buckets.TryGetValue(key, out var bucket))
        {
            return bucket;
        }
        bucket = Bolt.Bucket(name) ?? throw BackendException.MissingBucket(File, name);
        _buckets[key] = bucket;
        return bucket;
    }

    private protected delegate T Decoder<out T>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    private List<T> Decode<T>(ReadOnlySpan<byte> bucket, Decoder<T> decode)
    {
        var list = new List<T>();
        var c = Bucket(bucket).Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            try
            {
                list.Add(decode(c.Key, c.Value));
            }
            catch (Exception e) when (e is FormatException or Google.Protobuf.InvalidProtocolBufferException or System.Text.Json.JsonException or OverflowException or KeyNotFoundException or InvalidOperationException)
            {
                throw BackendException.Malformed(File, bucket, c.Key, e.Message);
            }
        }
        return list;
    }

    private long? CompactMark(ReadOnlySpan<byte> name)
    {
        if (!Meta.TryGet(name, out var v))
        {
            return null;
        }
        if (!Revision.TryParse(v, out var revision, out _))
        {
            throw BackendException.Malformed(File, BackendBuckets.Meta, name, "not a revision");
        }
        return revision.Main;
    }

    private ulong ReadUInt64(ReadOnlySpan<byte> value, ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key) =>
        value.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(value) : throw BackendException.Malformed(File, bucket, key, $"expected 8 bytes, found {value.Length}");
}
