using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Tests.Server;
using Google.Protobuf;

namespace Cairn.Server.Tests.Alarms;

/// <summary>--quota-backend-bytes end to end through raft and apply: the NOSPACE alarm, what it refuses, and its life across restarts.</summary>
public sealed class SpaceQuotaTests
{
    private static InternalRaftRequest Put(string key, int valueBytes) =>
        new() { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(new byte[valueBytes]) } };

    private static InternalRaftRequest Alarm(AlarmRequest.Types.AlarmAction action, ulong member = 0, AlarmType type = AlarmType.None) =>
        new() { Alarm = new AlarmRequest { Action = action, MemberID = member, Alarm = type } };

    [Fact]
    public async Task AWriteOverTheQuotaIsRefusedWithNoSpaceAndRaisesTheAlarmForThisMember()
    {
        // The quota looks at the backend's committed size: one commit per entry makes it grow with every put
        // rather than with the batch timer, so 100 puts of 20 KB certainly go over 300 KB.
        await using var member = await TestMember.StartAsync(null, "--quota-backend-bytes", "300000", "--backend-batch-limit", "1");
        var server = member.Server;
        // The refusal comes either before proposing (an exception) or at apply time (the result),
        // depending on whether the backend's size already counted the last put: both are NoSpace.
        EtcdError? refusal = null;
        for (int i = 0; i < 100 && refusal is null; i++)
        {
            try
            {
                refusal = (await server.ProposeAsync(Put($"k{i}", 20_000), CancellationToken.None)).Error;
            }
            catch (EtcdException e)
            {
                refusal = e.Error;
            }
        }

        Assert.Same(EtcdErrors.NoSpace, refusal);
        var raised = Assert.Single(server.Alarms.Get(AlarmType.None));
        Assert.Equal(server.Id, raised.MemberID);
        Assert.Equal(AlarmType.Nospace, raised.Alarm);
        Assert.Contains("\"msg\":\"alarm raised\"", member.Log);
    }

    [Fact]
    public async Task WithNoSpaceRaisedPutsAndTxnsWithPutsAreRefusedButDeletesAndReadOnlyTxnsGoThrough()
    {
        await using var member = await TestMember.StartAsync();
        var server = member.Server;
        await server.ProposeAsync(Put("a", 1), CancellationToken.None);
        await server.ProposeAsync(Alarm(AlarmRequest.Types.AlarmAction.Activate, server.Id, AlarmType.Nospace), CancellationToken.None);

        var put = await server.ProposeAsync(Put("b", 1), CancellationToken.None);
        Assert.Same(EtcdErrors.NoSpace, put.Error);
        var txn = new TxnRequest();
        txn.Failure.Add(new RequestOp { RequestPut = Put("c", 1).Put });
        Assert.Same(EtcdErrors.NoSpace, (await server.ProposeAsync(new InternalRaftRequest { Txn = txn }, CancellationToken.None)).Error);

        var delete = await server.ProposeAsync(new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("a") } }, CancellationToken.None);
        Assert.Equal(1, Assert.IsType<DeleteRangeResponse>(delete.Response).Deleted);
        var readOnly = new TxnRequest();
        readOnly.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8("a") } });
        Assert.Null((await server.ProposeAsync(new InternalRaftRequest { Txn = readOnly }, CancellationToken.None)).Error);
    }

    [Fact]
    public async Task AnAlarmSurvivesARestartUntilItIsDisarmed()
    {
        var member = await TestMember.StartAsync();
        var id = member.Server.Id;
        await member.Server.ProposeAsync(Alarm(AlarmRequest.Types.AlarmAction.Activate, id, AlarmType.Nospace), CancellationToken.None);
        member = await member.RestartAsync();
        await using (member)
        {
            var server = member.Server;
            Assert.True(server.Alarms.NoSpace);
            Assert.Same(EtcdErrors.NoSpace, (await server.ProposeAsync(Put("x", 1), CancellationToken.None)).Error);

            var listed = (AlarmResponse)(await server.ProposeAsync(Alarm(AlarmRequest.Types.AlarmAction.Get), CancellationToken.None)).Response!;
            Assert.Equal(id, Assert.Single(listed.Alarms).MemberID);

            var disarmed = (AlarmResponse)(await server.ProposeAsync(Alarm(AlarmRequest.Types.AlarmAction.Deactivate, id, AlarmType.Nospace), CancellationToken.None)).Response!;
            Assert.Single(disarmed.Alarms);
            Assert.False(server.Alarms.NoSpace);
            Assert.Null((await server.ProposeAsync(Put("x", 1), CancellationToken.None)).Error);
        }
    }
}
