using Cairn.Protocol.Authpb;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Backend;
using Google.Protobuf;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Storage.Tests.Backend;

/// <summary>The typed layer round-trips every record kind; reads see the transaction's own writes; hashes follow etcd's rules.</summary>
public sealed class EtcdBackendTests : FreshBackendTests
{
    private static KeyValue Kv(string key, long create, long mod, long version, string value, long lease = 0) => new()
    {
        Key = ByteString.CopyFromUtf8(key),
        CreateRevision = create,
        ModRevision = mod,
        Version = version,
        Value = ByteString.CopyFromUtf8(value),
        Lease = lease,
    };

    [Fact]
    public void EveryRecordKindRoundTrips()
    {
        var member = new MemberRecord(0xabc, ["http://10.0.0.1:2380"], "m1", ["http://10.0.0.1:2379"]);
        var alarm = new AlarmMember { MemberID = 0xabc, Alarm = AlarmType.Nospace };
        using (var tx = Backend.BeginWrite())
        {
            tx.PutKeyValue(new Revision(2), Kv("a", 2, 2, 1, "x"));
            tx.PutKeyValue(new Revision(3, 0), Kv("b", 3, 3, 1, "y", lease: 7));
            tx.PutTombstone(new Revision(3, 1), "a"u8);
            tx.SetConsistentIndex(42);
            tx.SetScheduledCompactRevision(2);
            tx.SetFinishedCompactRevision(2);
            tx.PutLease(new LeaseRecord { ID = 7, TTL = 30 });
            tx.PutLease(new LeaseRecord { ID = 8, TTL = 60 });
            tx.DeleteLease(8);
            tx.PutMember(member);
            tx.PutMember(member with { Id = 0xdef });
            tx.RemoveMember(0xdef);
            tx.SetClusterVersion("3.4.0");
            tx.PutAlarm(alarm);
            tx.SetAuthEnabled(true);
            tx.SetAuthRevision(9);
            tx.PutUser(new User { Name = ByteString.CopyFromUtf8("root"), Roles = { "root" } });
            tx.PutRole(new Role { Name = ByteString.CopyFromUtf8("root") });
            Assert.Equal(42ul, tx.ConsistentIndex); // a writer reads its own writes
            Assert.True(tx.PendingWrites >= 18);
            tx.Commit();
        }

        using var read = Backend.BeginRead();
        var records = new List<(Revision, bool, KeyValue)>();
        foreach (var r in read.AllRevisions())
        {
            records.Add((r.Revision, r.IsTombstone, r.ToKeyValue()));
        }
        Assert.Equal(
            [(new Revision(2), false, Kv("a", 2, 2, 1, "x")), (new Revision(3, 0), false, Kv("b", 3, 3, 1, "y", 7)), (new Revision(3, 1), true, new KeyValue { Key = ByteString.CopyFromUtf8("a") })],
            records);
        Assert.Equal(new Revision(3, 1), read.LastRevision());
        Assert.Equal(42ul, read.ConsistentIndex);
        Assert.Equal(2L, read.ScheduledCompactRevision);
        Assert.Equal(2L, read.FinishedCompactRevision);
        Assert.Equal([new LeaseRecord { ID = 7, TTL = 30 }], read.Leases());
        Assert.Equal([member], read.Members());
        Assert.Equal([0xdeful], read.RemovedMembers());
        Assert.Equal("3.4.0", read.ClusterVersion);
        Assert.Equal([alarm], read.Alarms());
        Assert.True(read.AuthEnabled);
        Assert.Equal(9ul, read.AuthRevision);
        Assert.Equal(["root"], read.GetUser("root")!.Roles);
        Assert.Null(read.GetUser("nobody"));
        Assert.NotNull(read.GetRole("root"));
    }

    [Fact]
    public void RevisionRangesAreHalfOpenAndSeeTombstones()
    {
        using (var tx = Backend.BeginWrite())
        {
            for (var main = 2; main <= 20; main++)
            {
                tx.PutKeyValue(new Revision(main), Kv($"k{main}", main, main, 1, "v"));
                tx.PutTombstone(new Revision(main, 1), "gone"u8);
            }
            tx.Commit();
        }
        using var read = Backend.BeginRead();
        var seen = new List<(Revision, bool)>();
        foreach (var r in read.Revisions(new Revision(5, 1), new Revision(8)))
        {
            seen.Add((r.Revision, r.IsTombstone));
        }
        Assert.Equal([(new Revision(5, 1), true), (new Revision(6), false), (new Revision(6, 1), true), (new Revision(7), false), (new Revision(7, 1), true)], seen);
        Assert.Equal("k9", read.GetRevision(new Revision(9), out var tombstone)!.Key.ToStringUtf8());
        Assert.False(tombstone);
        Assert.NotNull(read.GetRevision(new Revision(9, 1), out tombstone));
        Assert.True(tombstone);
        Assert.Null(read.GetRevision(new Revision(9, 2), out _));
        Assert.Null(read.GetRevision(new Revision(21), out _));
    }

    [Fact]
    public void CompactionDeletesRevisionRecords()
    {
        using (var tx = Backend.BeginWrite())
        {
            tx.PutKeyValue(new Revision(2), Kv("a", 2, 2, 1, "1"));
            tx.PutKeyValue(new Revision(3), Kv("a", 2, 3, 2, "2"));
            tx.PutTombstone(new Revision(4), "a"u8);
            tx.Commit();
        }
        using (var tx = Backend.BeginWrite())
        {
            tx.DeleteRevision(new Revision(2), tombstone: false);
            tx.DeleteRevision(new Revision(4), tombstone: true);
            tx.Commit();
        }
        using var read = Backend.BeginRead();
        var left = new List<Revision>();
        foreach (var r in read.AllRevisions())
        {
            left.Add(r.Revision);
        }
        Assert.Equal([new Revision(3)], left);
    }

    [Fact]
    public void MaintenanceHashIgnoresTheConsistentIndexAndSnapshotStatusDoesNot()
    {
        using (var tx = Backend.BeginWrite())
        {
            tx.PutKeyValue(new Revision(2), Kv("a", 2, 2, 1, "1"));
            tx.SetConsistentIndex(10);
            tx.Commit();
        }
        var hash = Backend.Hash();
        var status = Backend.Status();
        using (var tx = Backend.BeginWrite())
        {
            tx.SetConsistentIndex(11);
            tx.Commit();
        }
        Assert.Equal(hash, Backend.Hash());
        Assert.NotEqual(status.Hash, Backend.Status().Hash);
        Assert.Equal(2, Backend.Status().Revision);
    }

    [Fact]
    public void HashKvSkipsCompactedRevisionsOutsideTheKeepSet()
    {
        using (var tx = Backend.BeginWrite())
        {
            for (var main = 2; main <= 6; main++)
            {
                tx.PutKeyValue(new Revision(main), Kv("a", 2, main, main - 1, $"{main}"));
            }
            tx.Commit();
        }
        using var read = Backend.BeginRead();
        var all = BackendHashes.HashKeyValues(read, 6, 0, null);
        var upTo4 = BackendHashes.HashKeyValues(read, 4, 0, null);
        Assert.NotEqual(all, upTo4);
        // Compacted at 4, keeping revision 4: revisions 2 and 3 no longer count.
        var compacted = BackendHashes.HashKeyValues(read, 6, 4, new HashSet<Revision> { new(4) });
        using (var tx = Backend.BeginWrite())
        {
            tx.DeleteRevision(new Revision(2), false);
            tx.DeleteRevision(new Revision(3), false);
            tx.Commit();
        }
        using var after = Backend.BeginRead();
        Assert.Equal(compacted, BackendHashes.HashKeyValues(after, 6, 4, new HashSet<Revision> { new(4) }));
        Assert.Equal(compacted, BackendHashes.HashKeyValues(after, 6, 0, null));
    }

    [Fact]
    public async Task DefragmentKeepsContentAndSnapshotsStream()
    {
        using (var tx = Backend.BeginWrite())
        {
            for (var main = 2; main < 3000; main++)
            {
                tx.PutKeyValue(new Revision(main), Kv($"key{main}", main, main, 1, new string('v', 200)));
            }
            tx.SetConsistentIndex(99);
            tx.Commit();
        }
        using (var tx = Backend.BeginWrite())
        {
            for (var main = 2; main < 2900; main++)
            {
                tx.DeleteRevision(new Revision(main), false);
            }
            tx.Commit();
        }
        var before = Backend.Status();
        var sizeBefore = Backend.Size;
        Backend.Defragment();
        var after = Backend.Status();
        Assert.Equal(before with { TotalSize = 0 }, after with { TotalSize = 0 });
        Assert.True(Backend.Size < sizeBefore / 4, $"{Backend.Size} vs {sizeBefore}");
        Assert.Empty(Backend.Database.Check());
        Assert.Empty(Directory.GetFiles(Dir.Path, "db.tmp.*"));

        using var stream = new MemoryStream();
        var written = await Backend.WriteSnapshotAsync(stream);
        Assert.Equal(Backend.Size, written);
        var copy = Dir.File("copy.db");
        await File.WriteAllBytesAsync(copy, stream.ToArray());
        using var opened = EtcdBackend.Open(copy, EtcdBackend.EtcdBoltOptions with { ReadOnly = true });
        Assert.Equal(after.Hash, opened.Status().Hash);
    }

    [Fact]
    public async Task ASnapshotStreamsTheStateItWasOpenedAtInTheSizeItAnnounced()
    {
        using (var tx = Backend.BeginWrite())
        {
            tx.SetConsistentIndex(1);
            tx.Commit();
        }
        using var snapshot = Backend.OpenSnapshot();
        var size = snapshot.Size;
        var hash = Backend.Hash();
        // Commits after the opening, growing the file, are not in the copy.
        using (var tx = Backend.BeginWrite())
        {
            tx.SetConsistentIndex(2);
            for (var main = 2L; main < 2002; main++)
            {
                tx.PutKeyValue(new Revision(main), Kv($"k{main}", main, main, 1, new string('v', 300)));
            }
            tx.Commit();
        }
        Assert.True(Backend.Size > size, $"the file stayed at {Backend.Size} bytes");

        using var stream = new MemoryStream();
        Assert.Equal(size, await snapshot.WriteToAsync(stream));
        Assert.Equal(size, stream.Length);
        var copy = Dir.File("copy.db");
        await File.WriteAllBytesAsync(copy, stream.ToArray());
        using var opened = EtcdBackend.Open(copy, EtcdBackend.EtcdBoltOptions with { ReadOnly = true });
        Assert.Equal(hash, opened.Hash());
        using var read = opened.BeginRead();
        Assert.Equal(1UL, read.ConsistentIndex);
    }

    [Fact]
    public void AMissingBucketIsANamedError()
    {
        var path = Dir.File("bare.db");
        using (var db = Cairn.Storage.Bolt.BoltDatabase.Open(path))
        {
        }
        using var backend = EtcdBackend.Open(path, EtcdBackend.EtcdBoltOptions with { ReadOnly = true });
        using var read = backend.BeginRead();
        var e = Assert.Throws<BackendException>(() => read.ConsistentIndex);
        Assert.Contains("bucket meta does not exist", e.Message);
        Assert.Contains(path, e.Message);
    }
}
