using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// The proof of compatibility: a data dir written by one server is served by the other with the same keys,
/// values and revisions (history and compaction included), takes new writes there, and goes back to the first.
/// etcd with itself checks the harness.
/// </summary>
public sealed class DataDirSwapTests(ITestOutputHelper output)
{
    public static TheoryData<ServerKind, ServerKind> Handovers() => new()
    {
        { ServerKind.Etcd, ServerKind.Cairn },
        { ServerKind.Cairn, ServerKind.Etcd },
        { ServerKind.Etcd, ServerKind.Etcd },
    };

    [Theory]
    [MemberData(nameof(Handovers))]
    public async Task A_data_dir_changes_hands_keeping_every_key_value_and_revision(ServerKind first, ServerKind second)
    {
        using var member = TestMember.Create();
        IReadOnlyList<string> written;
        ServerIdentity identity;
        await using (var server = await ServerProcess.StartAsync(first, member, output))
        {
            identity = await ServerIdentity.OfAsync(member);
            await StoreWorkload.WriteFirstPartAsync(member.Etcdctl);
            written = await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction);
            await server.StopCleanlyAsync();
        }

        await using (var server = await ServerProcess.StartAsync(second, member, output))
        {
            // The dumps name IDs by placeholder; the member and cluster must stay the ones the data dir holds.
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction),
                $"{first.DisplayName()} (writer)", $"{second.DisplayName()} (on {first.DisplayName()}'s data dir)");
            await StoreWorkload.WriteSecondPartAsync(member.Etcdctl);
            written = await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction);
            await server.StopCleanlyAsync();
        }

        await using (var server = await ServerProcess.StartAsync(first, member, output))
        {
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction),
                $"{second.DisplayName()} (writer)", $"{first.DisplayName()} (back on the data dir)");
        }
    }
}
