using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Alarms;

namespace Cairn.Server.Tests.Alarms;

public sealed class AlarmStoreTests
{
    [Fact]
    public void ActivatingTwiceKeepsOneAlarmPerMemberAndType()
    {
        var store = new AlarmStore([]);
        Assert.NotNull(store.Activate(7, AlarmType.Nospace, null));
        Assert.NotNull(store.Activate(7, AlarmType.Nospace, null));
        store.Activate(8, AlarmType.Nospace, null);
        store.Activate(7, AlarmType.Corrupt, null);

        Assert.Equal(2, store.Get(AlarmType.Nospace).Count);
        Assert.Single(store.Get(AlarmType.Corrupt));
        Assert.Equal(3, store.Get(AlarmType.None).Count);
        Assert.True(store.NoSpace);
    }

    [Fact]
    public void ATypeNoneActivationRaisesNothing()
    {
        var store = new AlarmStore([]);
        Assert.Null(store.Activate(7, AlarmType.None, null));
        Assert.Empty(store.Get(AlarmType.None));
    }

    [Fact]
    public void NoSpaceLastsUntilEveryMembersNoSpaceAlarmIsCleared()
    {
        var store = new AlarmStore([new AlarmMember { MemberID = 1, Alarm = AlarmType.Nospace }, new AlarmMember { MemberID = 2, Alarm = AlarmType.Nospace }]);
        Assert.True(store.NoSpace);
        Assert.NotNull(store.Deactivate(1, AlarmType.Nospace, null));
        Assert.True(store.NoSpace);
        Assert.Null(store.Deactivate(1, AlarmType.Nospace, null));
        Assert.NotNull(store.Deactivate(2, AlarmType.Nospace, null));
        Assert.False(store.NoSpace);
    }

    [Fact]
    public void AnAlarmIsDescribedAsGoPrintsIt()
    {
        Assert.Equal("memberID:17628310501313495538 alarm:NOSPACE ",
            AlarmStore.Describe(new AlarmMember { MemberID = 17628310501313495538, Alarm = AlarmType.Nospace }));
        Assert.Equal("alarm:CORRUPT ", AlarmStore.Describe(new AlarmMember { Alarm = AlarmType.Corrupt }));
    }
}
