using System.Text;
using Cairn.Protocol.Authpb;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Backend;
using Google.Protobuf;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Storage.Tests.Backend;

/// <summary>
/// The typed schema layer on its own: the schema a new backend gets, the exact bytes each typed
/// write leaves in etcd's buckets, defaults of a fresh backend, list order, deletions,
/// transaction visibility (a write transaction held across many entries, rollback), malformed
/// records as named errors, and what the status and hash cover.
/// </summary>
public sealed class BackendSchemaTests : FreshBackendTests
{
    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The raw value of <paramref name="key"/> in <paramref name="bucket"/>, as hex; null when missing.</summary>
    private static string? Raw(BackendReadTransaction tx, string bucket, ReadOnlySpan<byte> key)
    {
        var value = tx.Bolt.Bucket(Ascii(bucket))!.Get(key);
        return value is null ? null : Hex(value);
    }

    private static List<string> RawKeys(BackendReadTransaction tx, string bucket)
    {
        var keys = new List<string>();
        var c = tx.Bolt.Bucket(Ascii(bucket))!.Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            keys.Add(Hex(c.Key));
        }
        return keys;
    }

    private static KeyValue Kv(string key, long revision) => new()
    {
        Key = ByteString.CopyFromUtf8(key),
        CreateRevision = revision,
        ModRevision = revision,
        Version = 1,
        Value = ByteString.CopyFromUtf8("v"),
    };

    [Fact]
    public void ANewBackendGetsEtcdsBucketsAndAuthRevisionOneAndReopeningCommitsNothing()
    {
        ulong txid;
        using (var tx = Backend.BeginRead())
        {
            var names = new List<string>();
            tx.Bolt.ForEachBucket((name, _) => names.Add(Encoding.ASCII.GetString(name)));
            Assert.Equal(BackendBuckets.All, names);
            foreach (var name in BackendBuckets.All)
            {
                Assert.Equal(name == "auth" ? ["617574685265766973696f6e"] : [], RawKeys(tx, name)); // "authRevision"
            }
            Assert.Equal("0000000000000001", Raw(tx, "auth", BackendKeys.AuthRevision));
            txid = tx.Bolt.Id;
        }
        using (var tx = Backend.BeginWrite())
        {
            tx.SetAuthRevision(5);
            tx.Commit();
        }
        Backend.Dispose();

        using var reopened = EtcdBackend.Open(Backend.Path, Backend.Options);
        using var read = reopened.BeginRead();
        Assert.Equal(txid + 1, read.Bolt.Id); // only the SetAuthRevision commit
        Assert.Equal(5ul, read.AuthRevision);
    }

    [Fact]
    public void AFreshBackendReadsAsEtcdsDefaults()
    {
        using var tx = Backend.BeginRead();
        Assert.Equal(0ul, tx.ConsistentIndex);
        Assert.Null(tx.ScheduledCompactRevision);
        Assert.Null(tx.FinishedCompactRevision);
        Assert.Null(tx.LastRevision());
        Assert.Null(tx.GetRevision(new Revision(1), out _));
        var any = false;
        foreach (var _ in tx.AllRevisions())
        {
            any = true;
        }
        Assert.False(any);
        Assert.Null(tx.ClusterVersion);
        Assert.False(tx.AuthEnabled);
        Assert.Equal(1ul, tx.AuthRevision);
        Assert.Empty(tx.Leases());
        Assert.Empty(tx.Members());
        Assert.Empty(tx.RemovedMembers());
        Assert.Empty(tx.Alarms());
        Assert.Empty(tx.Users());
        Assert.Empty(tx.Roles());
    }

    [Fact]
    public void TypedWritesLeaveEtcdsBytes()
    {
        var lease = new LeaseRecord { ID = 0x1234, TTL = 60 };
        var member = new MemberRecord(0xabc, ["http://a:2380"], "m", ["http://a:2379"]);
        var alarm = new AlarmMember { MemberID = 0xabc, Alarm = AlarmType.Corrupt };
        var user = new User { Name = ByteString.CopyFromUtf8("alice"), Password = ByteString.CopyFromUtf8("hash"), Roles = { "r" } };
        var role = new Role { Name = ByteString.CopyFromUtf8("r") };
        using (var tx = Backend.BeginWrite())
        {
            tx.PutKeyValue(new Revision(0x0102, 3), Kv("k", 0x0102));
            tx.PutTombstone(new Revision(0x0103), "k"u8);
            tx.SetConsistentIndex(0x0a0b0c);
            tx.SetScheduledCompactRevision(0x0102);
            tx.SetFinishedCompactRevision(0x0101);
            tx.PutLease(lease);
            tx.PutMember(member);
            tx.PutMember(member with { Id = 0x10 });
            tx.RemoveMember(0x10);
            tx.SetClusterVersion("3.4.0");
            tx.PutAlarm(alarm);
            tx.SetAuthEnabled(true);
            tx.SetAuthRevision(7);
            tx.PutUser(user);
            tx.PutRole(role);
            tx.Commit();
        }

        using var read = Backend.BeginRead();
        Assert.Equal(["0000000000000102" + "5f" + "0000000000000003", "0000000000000103" + "5f" + "0000000000000000" + "74"], RawKeys(read, "key"));
        Assert.Equal(Hex(Kv("k", 0x0102).ToByteArray()), Raw(read, "key", Convert.FromHexString("00000000000001025f0000000000000003")));
        Assert.Equal(Hex(new KeyValue { Key = ByteString.CopyFromUtf8("k") }.ToByteArray()), Raw(read, "key", Convert.FromHexString("00000000000001035f000000000000000074")));
        Assert.Equal("00000000000a0b0c", Raw(read, "meta", BackendKeys.ConsistentIndex));
        Assert.Equal("0000000000000102" + "5f" + "0000000000000000", Raw(read, "meta", BackendKeys.ScheduledCompactRevision));
        Assert.Equal("0000000000000101" + "5f" + "0000000000000000", Raw(read, "meta", BackendKeys.FinishedCompactRevision));
        Assert.Equal(["0000000000001234"], RawKeys(read, "lease"));
        Assert.Equal(Hex(lease.ToByteArray()), Raw(read, "lease", Convert.FromHexString("0000000000001234")));
        Assert.Equal([Hex("abc"u8)], RawKeys(read, "members"));
        Assert.Equal(Hex(member.ToJson()), Raw(read, "members", "abc"u8));
        Assert.Equal(Hex("removed"u8), Raw(read, "members_removed", "10"u8));
        Assert.Equal(Hex("3.4.0"u8), Raw(read, "cluster", BackendKeys.ClusterVersion));
        Assert.Equal([Hex(alarm.ToByteArray())], RawKeys(read, "alarm"));
        Assert.Equal("", Raw(read, "alarm", alarm.ToByteArray()));
        Assert.Equal("01", Raw(read, "auth", BackendKeys.AuthEnabled));
        Assert.Equal("0000000000000007", Raw(read, "auth", BackendKeys.AuthRevision));
        Assert.Equal(Hex(user.ToByteArray()), Raw(read, "authUsers", "alice"u8));
        Assert.Equal(Hex(role.ToByteArray()), Raw(read, "authRoles", "r"u8));
    }

    [Fact]
    public void ListsComeBackInKeyOrderAndDeletesRemove()
    {
        using (var tx = Backend.BeginWrite())
        {
            foreach (var id in new long[] { 70000, 2, 300, 9 })
            {
                tx.PutLease(new LeaseRecord { ID = id, TTL = 10 });
            }
            tx.DeleteLease(9);
            foreach (var id in new ulong[] { 0xa, 0x2, 0x10 })
            {
                tx.PutMember(new MemberRecord(id, [$"http://m{id}:2380"]));
            }
            foreach (var name in new[] { "zed", "amy", "bob" })
            {
                tx.PutUser(new User { Name = ByteString.CopyFromUtf8(name) });
                tx.PutRole(new Role { Name = ByteString.CopyFromUtf8(name) });
            }
            tx.DeleteUser("bob");
            tx.DeleteRole("zed");
            var space = new AlarmMember { MemberID = 1, Alarm = AlarmType.Nospace };
            var corrupt = new AlarmMember { MemberID = 1, Alarm = AlarmType.Corrupt };
            tx.PutAlarm(space);
            tx.PutAlarm(corrupt);
            tx.DeleteAlarm(space);
            tx.SetAuthEnabled(true);
            tx.SetAuthEnabled(false);
            tx.Commit();
        }

        using var read = Backend.BeginRead();
        Assert.Equal([2L, 300L, 70000L], read.Leases().Select(l => l.ID));
        // Member keys are unpadded hex, so their order is the strings' order, not the ids'.
        Assert.Equal([0x10ul, 0x2ul, 0xaul], read.Members().Select(m => m.Id));
        Assert.Equal(["amy", "zed"], read.Users().Select(u => u.Name.ToStringUtf8()));
        Assert.Equal(["amy", "bob"], read.Roles().Select(r => r.Name.ToStringUtf8()));
        Assert.Null(read.GetUser("bob"));
        Assert.Null(read.GetRole("zed"));
        Assert.Equal([AlarmType.Corrupt], read.Alarms().Select(a => a.Alarm));
        Assert.False(read.AuthEnabled);
        Assert.Equal("00", Raw(read, "auth", BackendKeys.AuthEnabled));
    }

    [Fact]
    public void AWriteTransactionHeldAcrossManyEntriesIsInvisibleUntilCommit()
    {
        using var before = Backend.BeginRead();
        using (var tx = Backend.BeginWrite())
        {
            for (var index = 1; index <= 100; index++)
            {
                tx.PutKeyValue(new Revision(index + 1), Kv($"k{index}", index + 1));
                tx.SetConsistentIndex((ulong)index);
            }
            Assert.Equal(200, tx.PendingWrites);
            Assert.Equal(new Revision(101), tx.LastRevision());
            using (var during = Backend.BeginRead())
            {
                Assert.Equal(0ul, during.ConsistentIndex);
                Assert.Null(during.LastRevision());
            }
            tx.Commit();
        }
        Assert.Null(before.LastRevision());
        Assert.Equal(0ul, before.ConsistentIndex);

        using var after = Backend.BeginRead();
        Assert.Equal(100ul, after.ConsistentIndex);
        var count = 0;
        foreach (var record in after.Revisions(new Revision(2), new Revision(102)))
        {
            Assert.Equal(new Revision(count + 2), record.Revision);
            count++;
        }
        Assert.Equal(100, count);
    }

    [Fact]
    public void RollingBackOrDisposingAWriteTransactionDiscardsItsWrites()
    {
        using (var tx = Backend.BeginWrite())
        {
            tx.SetConsistentIndex(1);
            tx.Commit();
        }
        using (var tx = Backend.BeginWrite())
        {
            tx.SetConsistentIndex(2);
            tx.PutLease(new LeaseRecord { ID = 1, TTL = 5 });
            tx.Rollback();
        }
        using (var tx = Backend.BeginWrite())
        {
            tx.SetClusterVersion("3.4.0");
            tx.PutKeyValue(new Revision(2), Kv("k", 2));
        }
        using var read = Backend.BeginRead();
        Assert.Equal(1ul, read.ConsistentIndex);
        Assert.Empty(read.Leases());
        Assert.Null(read.ClusterVersion);
        Assert.Null(read.LastRevision());
    }

    [Fact]
    public async Task BeginWriteAsyncWaitsForTheOpenWriter()
    {
        Task<BackendWriteTransaction> second;
        using (var first = Backend.BeginWrite())
        {
            second = Backend.BeginWriteAsync();
            Assert.False(second.IsCompleted);
            first.SetConsistentIndex(5);
            first.Commit();
        }
        using var tx = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5ul, tx.ConsistentIndex);
    }

    [Fact]
    public void MalformedRecordsAreErrorsNamingFileBucketAndKey()
    {
        using var tx = Backend.BeginWrite();
        tx.Bolt.Bucket("meta"u8)!.Put(BackendKeys.ConsistentIndex, [1, 2, 3, 4]);
        tx.Bolt.Bucket("meta"u8)!.Put(BackendKeys.FinishedCompactRevision, [1, 2, 3]);
        tx.Bolt.Bucket("lease"u8)!.Put([0, 0, 0, 0, 0, 0, 0, 1], [0xff, 0xff]);
        tx.Bolt.Bucket("key"u8)!.Put("not-a-revision"u8, []);

        var e = Assert.Throws<BackendException>(() => tx.ConsistentIndex);
        Assert.Contains(Backend.Path, e.Message);
        Assert.Contains($"bucket meta, key {Convert.ToHexString(BackendKeys.ConsistentIndex)}: expected 8 bytes, found 4", e.Message);
        e = Assert.Throws<BackendException>(() => tx.FinishedCompactRevision);
        Assert.Contains("bucket meta", e.Message);
        Assert.Contains("not a revision", e.Message);
        e = Assert.Throws<BackendException>(() => tx.Leases());
        Assert.Contains("bucket lease, key 0000000000000001", e.Message);
        e = Assert.Throws<BackendException>(() => tx.LastRevision());
        Assert.Contains($"bucket key, key {Convert.ToHexString("not-a-revision"u8)}: not a revision key", e.Message);
        e = Assert.Throws<BackendException>(() =>
        {
            foreach (var _ in tx.AllRevisions())
            {
            }
        });
        Assert.Contains("not a revision key", e.Message);
    }

    [Fact]
    public void StatusCountsEveryKeyAndHashCoversEveryBucket()
    {
        var fresh = Backend.Hash();
        using (var other = OpenBackend("other.db"))
        {
            Assert.Equal(fresh, other.Hash());
        }
        Assert.Equal(new SnapshotStatus(Backend.Status().Hash, 0, 1, Backend.Size), Backend.Status()); // authRevision only

        var alarm = new AlarmMember { MemberID = 1, Alarm = AlarmType.Nospace };
        using (var tx = Backend.BeginWrite())
        {
            tx.PutKeyValue(new Revision(2), Kv("a", 2));
            tx.PutKeyValue(new Revision(3), Kv("b", 3));
            tx.PutTombstone(new Revision(3, 1), "a"u8);
            tx.PutAlarm(alarm);
            tx.Commit();
        }
        var status = Backend.Status();
        Assert.Equal(3, status.Revision);
        Assert.Equal(5, status.TotalKey);
        Assert.Equal(Backend.Size, status.TotalSize);
        var withAlarm = Backend.Hash();
        Assert.NotEqual(fresh, withAlarm);

        using (var tx = Backend.BeginWrite())
        {
            tx.DeleteAlarm(alarm);
            tx.Commit();
        }
        var withoutAlarm = Backend.Hash();
        Assert.NotEqual(withAlarm, withoutAlarm);
        using (var tx = Backend.BeginWrite())
        {
            tx.PutAlarm(alarm);
            tx.Commit();
        }
        Assert.Equal(withAlarm, Backend.Hash());
    }
}
