using System.Text;
using Cairn.Storage.Snap.V2Store;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Snap;

public sealed class V2StoreTests
{
    // The store of a single-member etcd 3.4.23 ("n1", peer 127.0.0.1:23801, client 127.0.0.1:23791)
    // as written in its raft snapshot.
    internal static byte[] EtcdJson() =>
        File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "tests", "Cairn.Storage.Tests", "Snap", "etcd-3.4.23-v2store.json"));

    internal const ulong EtcdMemberId = 0xbdae9bbc11dd390d;

    [Fact]
    public void Etcds_json_parses_and_serializes_back_byte_for_byte()
    {
        byte[] json = EtcdJson();
        var store = V2StoreJson.Parse(json);
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(V2StoreJson.Serialize(store)));
    }

    [Fact]
    public void Replaying_etcds_bootstrap_operations_gives_etcds_json()
    {
        var store = V2Store.NewEtcdStore();
        // etcd looks for a cluster version before one exists: a counted failed read.
        Assert.Equal(V2ErrorCode.KeyNotFound, Assert.Throws<V2StoreException>(() => store.Get(V2Membership.ClusterVersionKey)).Code);
        V2Membership.AddMember(store, EtcdMemberId, ["http://127.0.0.1:23801"], isLearner: false);
        V2Membership.UpdateAttributes(store, EtcdMemberId, "n1", ["http://127.0.0.1:23791"]);
        V2Membership.SetClusterVersion(store, "3.4.0");

        Assert.Equal(Encoding.UTF8.GetString(EtcdJson()), Encoding.UTF8.GetString(V2StoreJson.Serialize(store)));
    }

    [Fact]
    public void Membership_and_cluster_version_read_from_etcds_json()
    {
        var store = V2StoreJson.Parse(EtcdJson());
        var member = Assert.Single(V2Membership.Members(store));
        Assert.Equal(new V2Member(EtcdMemberId, ["http://127.0.0.1:23801"], false, "n1", ["http://127.0.0.1:23791"]),
            member with { PeerUrls = member.PeerUrls.ToList(), ClientUrls = member.ClientUrls.ToList() },
            new MemberComparer());
        Assert.Equal("bdae9bbc11dd390d", member.IdText);
        Assert.Equal("3.4.0", V2Membership.ClusterVersion(store));
        Assert.Empty(V2Membership.RemovedMembers(store));
        Assert.Equal(3UL, store.CurrentIndex);
        Assert.Equal(3, store.History.InOrder().Count());
    }

    [Fact]
    public void Members_added_promoted_and_removed_keep_etcds_layout()
    {
        var store = V2StoreJson.Parse(EtcdJson());
        V2Membership.AddMember(store, 0x2a, ["http://10.0.0.2:2380"], isLearner: true);
        V2Membership.UpdateRaftAttributes(store, 0x2a, ["http://10.0.0.2:2380", "http://10.0.0.3:2380"], isLearner: false);
        V2Membership.UpdateAttributes(store, 0x2a, "n2", []);
        V2Membership.RemoveMember(store, EtcdMemberId);

        Assert.Equal("{\"peerURLs\":[\"http://10.0.0.2:2380\",\"http://10.0.0.3:2380\"]}", store.Find("/0/members/2a/raftAttributes")!.Value);
        Assert.Equal("{\"name\":\"n2\"}", store.Find("/0/members/2a/attributes")!.Value);
        Assert.Equal("", store.Find("/0/removed_members/bdae9bbc11dd390d")!.Value);
        var member = Assert.Single(V2Membership.Members(store));
        Assert.Equal(0x2aUL, member.Id);
        Assert.False(member.IsLearner);
        Assert.Equal([EtcdMemberId], V2Membership.RemovedMembers(store));
        // create, update, set, delete, create: five more writes
        Assert.Equal(8UL, store.CurrentIndex);
        Assert.Equal(["create", "set", "set", "create", "update", "set", "delete", "create"], store.History.InOrder().Select(e => e.Action));

        var reread = V2StoreJson.Parse(V2StoreJson.Serialize(store));
        Assert.Equal(V2StoreJson.Serialize(store), V2StoreJson.Serialize(reread));
    }

    [Fact]
    public void Store_indexes_follow_etcd()
    {
        var store = V2Store.NewEtcdStore();
        var e = store.Create("/1/a/b/c", dir: false, "v");
        Assert.Equal((1UL, 1UL), (e.Node!.ModifiedIndex, e.Node.CreatedIndex));
        Assert.Equal(1UL, store.Find("/1/a")!.CreatedIndex); // implicit directories take the write's index

        var set = store.Set("/1/a/b/c", dir: false, "w");
        Assert.Equal("v", set.PrevNode!.Value);
        Assert.Equal(2UL, store.Find("/1/a/b/c")!.CreatedIndex);

        var update = store.Update("/1/a/b/c", "x");
        Assert.Equal(3UL, update.Node!.ModifiedIndex);
        Assert.Equal(2UL, store.Find("/1/a/b/c")!.CreatedIndex);
        Assert.Equal("x", store.Find("/1/a/b/c")!.Value);

        var delete = store.Delete("/1/a", dir: true, recursive: true);
        Assert.True(delete.Node!.Dir);
        Assert.Equal(4UL, store.CurrentIndex);
        Assert.Null(store.Find("/1/a"));
        Assert.Equal(1UL, store.Stats["createSuccess"]);
        Assert.Equal(1UL, store.Stats["setsSuccess"]);
        Assert.Equal(1UL, store.Stats["updateSuccess"]);
        Assert.Equal(1UL, store.Stats["deleteSuccess"]);
    }

    [Fact]
    public void Refused_operations_carry_etcds_codes_and_messages()
    {
        var store = V2Store.NewEtcdStore();
        store.Create("/1/key", dir: false, "v");
        store.Create("/1/dir/child", dir: false, "v");

        var exists = Assert.Throws<V2StoreException>(() => store.Create("/1/key", dir: false, "again"));
        Assert.Equal(V2ErrorCode.NodeExist, exists.Code);
        Assert.Equal("Key already exists (/1/key) [2]", exists.Message);
        Assert.Equal(V2ErrorCode.NotFile, Assert.Throws<V2StoreException>(() => store.Set("/1/dir", dir: false, "v")).Code);
        Assert.Equal(V2ErrorCode.NotDir, Assert.Throws<V2StoreException>(() => store.Create("/1/key/below", dir: false, "v")).Code);
        Assert.Equal(V2ErrorCode.DirNotEmpty, Assert.Throws<V2StoreException>(() => store.Delete("/1/dir", dir: true, recursive: false)).Code);
        Assert.Equal(V2ErrorCode.NotFile, Assert.Throws<V2StoreException>(() => store.Delete("/1/dir", dir: false, recursive: false)).Code);
        Assert.Equal(V2ErrorCode.RootReadOnly, Assert.Throws<V2StoreException>(() => store.Delete("/0", dir: true, recursive: true)).Code);
        Assert.Equal(V2ErrorCode.KeyNotFound, Assert.Throws<V2StoreException>(() => store.Update("/1/none", "v")).Code);
        Assert.Equal(2UL, store.CurrentIndex);
        Assert.Equal(2UL, store.Stats["createFail"]);
        // the failed set, and the failed create's parent walk, which etcd counts as a failed set too
        Assert.Equal(2UL, store.Stats["setsFail"]);
    }

    [Fact]
    public void V2_keys_and_awkward_text_survive_a_round_trip()
    {
        var store = V2Store.NewEtcdStore();
        string awkward = "quote\" back\\slash <tag> & amp\n\t\u0001 ünïcödé 😀 \u2028";
        store.Set("/1/app/config", dir: false, awkward);
        store.Set("/1/app/empty", dir: false, "");
        store.Create("/1/app/sub", dir: true, "");
        string json = Encoding.UTF8.GetString(V2StoreJson.Serialize(store));
        Assert.Contains("quote\\\" back\\\\slash \\u003ctag\\u003e \\u0026 amp\\n\\t\\u0001 ünïcödé 😀 \\u2028", json);

        var reread = V2StoreJson.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(awkward, reread.Find("/1/app/config")!.Value);
        Assert.Equal("", reread.Find("/1/app/empty")!.Value);
        Assert.True(reread.Find("/1/app/sub")!.IsDirectory);
        Assert.Empty(reread.Find("/1/app/sub")!.Children!);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    [InlineData("{\"Root\":{\"Path\":\"/\",\"CreatedIndex\":-1}}")]
    [InlineData("{\"Root\":{\"Path\":\"/\"},\"WatcherHub\":{\"EventHistory\":{\"Queue\":{\"Events\":[],\"Size\":5,\"Front\":0,\"Back\":0,\"Capacity\":1}}}}")]
    [InlineData("{\"Root\":")]
    public void Json_that_is_not_a_v2_store_is_a_format_error(string json)
    {
        Assert.Throws<FormatException>(() => V2StoreJson.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Member_attributes_that_are_not_json_are_a_format_error()
    {
        var store = V2Store.NewEtcdStore();
        store.Create("/0/members/1/raftAttributes", dir: false, "not json");
        Assert.Throws<FormatException>(() => V2Membership.Members(store));
        store.Create("/0/members/zz/raftAttributes", dir: false, "{}");
        Assert.Throws<FormatException>(() => V2Membership.Members(store));
    }

    private sealed class MemberComparer : IEqualityComparer<V2Member>
    {
        public bool Equals(V2Member? x, V2Member? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Name == y.Name && x.IsLearner == y.IsLearner
            && x.PeerUrls.SequenceEqual(y.PeerUrls) && x.ClientUrls.SequenceEqual(y.ClientUrls);

        public int GetHashCode(V2Member obj) => obj.Id.GetHashCode();
    }
}
