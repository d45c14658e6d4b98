using System.Text;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Mvcc;

public class IndexRebuildTests
{
    private static byte[] Record(string key, long create = 0, long version = 0, long lease = 0) =>
        new KeyValue { Key = ByteString.CopyFromUtf8(key), CreateRevision = create, ModRevision = 0, Version = version, Lease = lease }.ToByteArray();

    [Fact]
    public void Records_extend_known_keys_start_unknown_ones_and_skip_stray_tombstones()
    {
        var rebuild = new IndexRebuild();
        rebuild.Add(new Revision(5, 0), false, Record("a", create: 3, version: 2, lease: 9));
        rebuild.Add(new Revision(6, 0), true, Record("zz"));
        rebuild.Add(new Revision(7, 0), false, Record("a", create: 3, version: 3));
        rebuild.Add(new Revision(7, 1), false, Record("b", create: 7, version: 1, lease: 4));
        rebuild.Add(new Revision(8, 0), true, Record("a"));

        var keys = rebuild.SortedKeys();
        Assert.Equal(["a", "b"], keys.Select(k => Encoding.UTF8.GetString(k.Key)));
        // The tombstone counts as a change, as in etcd.
        Assert.Equal("3:4[5.0 7.0 8.0] []", keys[0].ToString());
        Assert.Equal(new KeyState(new Revision(5, 0), 3, 2), keys[0].Get(6));
        Assert.Null(keys[0].Get(8));
        Assert.Equal(8, rebuild.LastRevision);
        // a's lease went with its later records; b keeps its own.
        Assert.Equal([("b", 4L)], rebuild.KeyLeases().Select(p => (Encoding.UTF8.GetString(p.Key), p.Lease)));
    }

    [Fact]
    public void Nothing_to_read_leaves_an_empty_store_at_revision_1()
    {
        var rebuild = new IndexRebuild();
        Assert.Empty(rebuild.SortedKeys());
        Assert.Equal(1, rebuild.LastRevision);
        Assert.Empty(rebuild.KeyLeases());
    }
}
