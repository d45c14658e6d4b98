using System.Buffers.Binary;
using System.Text;
using Cairn.Protocol.Authpb;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Bolt;
using Google.Protobuf;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Storage.Backend;

/// <summary>
/// The one write transaction of an etcd backend. A server may keep it open across many applied
/// entries (each writing its records and the consistent index) and <see cref="Commit"/> on a timer
/// or after <see cref="PendingWrites"/> grows, as etcd's batch transaction does; after Commit, begin
/// the next one. Nothing is durable or visible to other transactions before Commit.
/// </summary>
public sealed class BackendWriteTransaction : BackendReadTransaction
{
    private byte[] _scratch = new byte[512];

    internal BackendWriteTransaction(BoltTransaction tx)
        : base(tx)
    {
    }

    /// <summary>Writes since the transaction began (etcd's batch tx "pending").</summary>
    public int PendingWrites { get; private set; }

    /// <summary>Writes the changes durably (dirty pages, fdatasync, meta page, fdatasync) and ends the transaction.</summary>
    public void Commit() => Bolt.Commit();

    /// <summary>Discards the changes and ends the transaction.</summary>
    public void Rollback() => Bolt.Rollback();

    /// <summary>Stores a key's state at <paramref name="revision"/>.</summary>
    public void PutKeyValue(Revision revision, KeyValue keyValue) => PutRevision(revision, tombstone: false, Marshal(keyValue));

    /// <summary>Stores the deletion of <paramref name="key"/> at <paramref name="revision"/> (a KeyValue carrying only the key, as etcd does).</summary>
    public void PutTombstone(Revision revision, ReadOnlySpan<byte> key)
    {
        var kv = new KeyValue { Key = ByteString.CopyFrom(key) };
        PutRevision(revision, tombstone: true, Marshal(kv));
    }

    /// <summary>Stores an already marshaled mvccpb.KeyValue at <paramref name="revision"/>.</summary>
    public void PutRevision(Revision revision, bool tombstone, ReadOnlySpan<byte> keyValue)
    {
        Span<byte> key = stackalloc byte[Revision.TombstoneSize];
        var length = revision.WriteTo(key, tombstone);
        var bucket = Bucket(BackendBuckets.Key);
        // Revisions are appended in order: fuller pages, as etcd's UnsafeSeqPut asks for.
        bucket.FillPercent = 0.9;
        bucket.Put(key[..length], keyValue);
        PendingWrites++;
    }

    /// <summary>Removes a revision record (compaction).</summary>
    public void DeleteRevision(Revision revision, bool tombstone)
    {
        Span<byte> key = stackalloc byte[Revision.TombstoneSize];
        var length = revision.WriteTo(key, tombstone);
        Bucket(BackendBuckets.Key).Delete(key[..length]);
        PendingWrites++;
    }

    /// <summary>Records the index of the last applied raft entry these writes cover.</summary>
    public void SetConsistentIndex(ulong index) => PutUInt64(BackendBuckets.Meta, BackendKeys.ConsistentIndex, index);

    /// <summary>Records that a compaction at <paramref name="main"/> was scheduled.</summary>
    public void SetScheduledCompactRevision(long main) => PutCompactMark(BackendKeys.ScheduledCompactRevision, main);

    /// <summary>Records that the compaction at <paramref name="main"/> finished.</summary>
    public void SetFinishedCompactRevision(long main) => PutCompactMark(BackendKeys.FinishedCompactRevision, main);

    public void PutLease(LeaseRecord lease)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, lease.ID);
        Put(BackendBuckets.Lease, key, Marshal(lease));
    }

    public void DeleteLease(long id)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        Delete(BackendBuckets.Lease, key);
    }

    public void PutMember(MemberRecord member) =>
        Put(BackendBuckets.Members, Encoding.ASCII.GetBytes(MemberRecord.KeyOf(member.Id)), member.ToJson());

    /// <summary>Removes a member and records it in members_removed, as etcd does.</summary>
    public void RemoveMember(ulong id)
    {
        var key = Encoding.ASCII.GetBytes(MemberRecord.KeyOf(id));
        Delete(BackendBuckets.Members, key);
        Put(BackendBuckets.MembersRemoved, key, BackendKeys.Removed);
    }

    public void SetClusterVersion(string version) => Put(BackendBuckets.Cluster, BackendKeys.ClusterVersion, Encoding.UTF8.GetBytes(version));

    /// <summary>Raises an alarm: the key is the marshaled AlarmMember, the value empty.</summary>
    public void PutAlarm(AlarmMember alarm) => Put(BackendBuckets.Alarm, Marshal(alarm), []);

    public void DeleteAlarm(AlarmMember alarm) => Delete(BackendBuckets.Alarm, Marshal(alarm));

    public void SetAuthEnabled(bool enabled) => Put(BackendBuckets.Auth, BackendKeys.AuthEnabled, [enabled ? (byte)1 : (byte)0]);

    public void SetAuthRevision(ulong revision) => PutUInt64(BackendBuckets.Auth, BackendKeys.AuthRevision, revision);

    public void PutUser(User user) => Put(BackendBuckets.AuthUsers, user.Name.Span, Marshal(user));

    public void DeleteUser(string name) => Delete(BackendBuckets.AuthUsers, Encoding.UTF8.GetBytes(name));

    public void PutRole(Role role) => Put(BackendBuckets.AuthRoles, role.Name.Span, Marshal(role));

    public void DeleteRole(string name) => Delete(BackendBuckets.AuthRoles, Encoding.UTF8.GetBytes(name));

    private void PutCompactMark(ReadOnlySpan<byte> name, long main)
    {
        Span<byte> value = stackalloc byte[Revision.Size];
        new Revision(main).WriteTo(value);
        Put(BackendBuckets.Meta, name, value);
    }

    private void PutUInt64(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Put(bucket, key, bytes);
    }

    private void Put(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Bucket(bucket).Put(key, value);
        PendingWrites++;
    }

    private void Delete(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key)
    {
        Bucket(bucket).Delete(key);
        PendingWrites++;
    }

    /// <summary>Marshals into a reused buffer (the bolt put copies it).</summary>
    private ReadOnlySpan<byte> Marshal(IMessage message)
    {
        var size = message.CalculateSize();
        if (size > _scratch.Length)
        {
            _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
        }
        var span = _scratch.AsSpan(0, size);
        message.WriteTo(span);
        return span;
    }
}
