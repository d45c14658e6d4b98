using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Storage.Backend;

namespace Cairn.Server.Alarms;

/// <summary>
/// Applies committed alarm requests (etcd's applierV3backend.Alarm): GET lists, ACTIVATE raises,
/// DEACTIVATE disarms; the first alarm of a type and the last one cleared are logged as etcd does.
/// </summary>
public sealed class AlarmApplier(AlarmStore store, ServerLogger log)
{
    private readonly ServerLogger _log = log.ForPackage("etcdserver");

    public ApplyResult Apply(AlarmRequest request, BackendWriteTransaction? persist)
    {
        var response = new AlarmResponse();
        int before = store.Get(request.Alarm).Count;
        switch (request.Action)
        {
            case AlarmRequest.Types.AlarmAction.Get:
                response.Alarms.AddRange(store.Get(request.Alarm));
                break;
            case AlarmRequest.Types.AlarmAction.Activate:
                if (store.Activate(request.MemberID, request.Alarm, persist) is { } raised)
                {
                    response.Alarms.Add(raised);
                    if (before == 0 && store.Get(raised.Alarm).Count == 1)
                    {
                        var from = MemberIds.Format(raised.MemberID);
                        _log.Warn("alarm raised", [new LogField("alarm", AlarmStore.Name(raised.Alarm)), new LogField("from", from)],
                            capnslog: $"alarm {AlarmStore.Name(raised.Alarm)} raised by peer {from}");
                    }
                }
                break;
            case AlarmRequest.Types.AlarmAction.Deactivate:
                if (store.Deactivate(request.MemberID, request.Alarm, persist) is { } cleared)
                {
                    response.Alarms.Add(cleared);
                    if (before > 0 && store.Get(request.Alarm).Count == 0)
                    {
                        _log.Warn("alarm disarmed", [new LogField("alarm", AlarmStore.Name(cleared.Alarm)), new LogField("from", MemberIds.Format(cleared.MemberID))],
                            capnslog: $"alarm disarmed action:DEACTIVATE {AlarmStore.Describe(cleared)}");
                    }
                }
                break;
        }
        return ApplyResult.Success(response);
    }
}
