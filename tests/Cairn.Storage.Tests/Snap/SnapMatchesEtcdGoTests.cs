using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Storage.Snap;
using Cairn.Storage.Snap.V2Store;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Snap;

/// <summary>Snap files and v2 store JSON checked against etcd's own Go code (walcheck).</summary>
[Collection(GoWalCheckCollection.Name)]
public sealed class SnapMatchesEtcdGoTests(GoWalCheck go)
{
    [Fact]
    public async Task Cairn_writes_the_snap_file_etcd_writes_and_etcd_loads_it()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("etcd"));
        Directory.CreateDirectory(dir.Combine("cairn"));
        byte[] data = V2StoreTests.EtcdJson();
        var snapshot = SnapshotterTests.MakeSnapshot(7, 0x1234, Encoding.UTF8.GetString(data), 0x8e9e05c52164694d, 3);
        snapshot.Metadata.ConfState.Learners.Add(9);

        string spec = dir.Combine("spec.json");
        await File.WriteAllTextAsync(spec, JsonSerializer.Serialize(new
        {
            data = Convert.ToBase64String(data),
            index = 0x1234,
            term = 7,
            voters = new[] { 0x8e9e05c52164694dUL, 3UL },
            learners = new[] { 9UL },
            autoLeave = false,
        }));
        await go.RunAsync("writesnap", dir.Combine("etcd"), spec);
        new Snapshotter(dir.Combine("cairn")).SaveSnap(snapshot);

        string name = SnapFileName.Snap(7, 0x1234);
        Assert.Equal(await File.ReadAllBytesAsync(dir.Combine("etcd", name)), await File.ReadAllBytesAsync(dir.Combine("cairn", name)));

        var lines = await go.RunAsync("snap", dir.Combine("cairn"));
        string expected = $"index {0x1234} term 7 voters [{0x8e9e05c52164694dUL} 3] learners [9] autoleave false data x{Convert.ToHexString(data).ToLowerInvariant()}";
        Assert.Equal([$"file {name} {expected}", $"load {expected}"], lines);
    }

    [Fact]
    public async Task Etcd_recovers_the_v2_store_cairn_wrote_and_writes_the_same_json_back()
    {
        var store = V2StoreJson.Parse(V2StoreTests.EtcdJson());
        V2Membership.AddMember(store, 0x2a, ["https://10.0.0.2:2380?a=1&b=<2>"], isLearner: true);
        V2Membership.UpdateAttributes(store, 0x2a, "n2 \"quoted\" ünï", ["https://10.0.0.2:2379"]);
        V2Membership.RemoveMember(store, V2StoreTests.EtcdMemberId);
        V2Membership.SetClusterVersion(store, "3.5.0");
        store.Set("/1/app/text", dir: false, "line\nbreak\ttab \u0001 \u2028 😀 <&>");
        store.Create("/1/app/dir", dir: true, "");
        store.Create("/1/app/dir/x", dir: false, "1");
        store.Delete("/1/app/dir/x", dir: false, recursive: false);
        byte[] json = V2StoreJson.Serialize(store);

        using var dir = new TempDirectory();
        string path = dir.Combine("store.json");
        await File.WriteAllBytesAsync(path, json);
        var lines = await go.RunAsync("v2store", path);
        Assert.Equal(Encoding.UTF8.GetString(json), Assert.Single(lines));
        Assert.Equal(store.CurrentIndex.ToString(CultureInfo.InvariantCulture), JsonDocument.Parse(json).RootElement.GetProperty("CurrentIndex").ToString());
    }
}
