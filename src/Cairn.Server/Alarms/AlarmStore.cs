using Cairn.Protocol.Etcdserverpb;
using Cairn.Storage.Backend;

namespace Cairn.Server.Alarms;

/// <summary>
/// The active alarms, one per (member, type), as etcd's v3alarm store keeps them: in memory for
/// the checks on every request, and in the backend's alarm bucket so they survive a restart.
/// Changed only by the apply loop; read from any thread.
/// </summary>
public sealed class AlarmStore
{
    private readonly object _gate = new();
    private readonly SortedDictionary<(AlarmType Type, ulong Member), AlarmMember> _active = [];
    private volatile bool _noSpace;

    public AlarmStore(IEnumerable<AlarmMember> restored)
    {
        foreach (var alarm in restored)
        {
            _active[(alarm.Alarm, alarm.MemberID)] = alarm;
        }
        _noSpace = _active.Keys.Any(k => k.Type == AlarmType.Nospace);
    }

    /// <summary>True while a NOSPACE alarm is raised: writes that add data are refused.</summary>
    public bool NoSpace => _noSpace;

    /// <summary>The active alarms of one type, or of every type for <see cref="AlarmType.None"/>.</summary>
    public IReadOnlyList<AlarmMember> Get(AlarmType type)
    {
        lock (_gate)
        {
            return [.. _active.Where(a => type == AlarmType.None || a.Key.Type == type).Select(a => a.Value.Clone())];
        }
    }

    /// <summary>Raises an alarm (kept if already raised) and returns it; null for type NONE.</summary>
    public AlarmMember? Activate(ulong member, AlarmType type, BackendWriteTransaction? persist)
    {
        if (type == AlarmType.None)
        {
            return null;
        }
        lock (_gate)
        {
            if (_active.TryGetValue((type, member), out var existing))
            {
                return existing.Clone();
            }
            var alarm = new AlarmMember { MemberID = member, Alarm = type };
            _active[(type, member)] = alarm;
            persist?.PutAlarm(alarm);
            Refresh();
            return alarm.Clone();
        }
    }

    /// <summary>Clears an alarm and returns it; null when it was not raised.</summary>
    public AlarmMember? Deactivate(ulong member, AlarmType type, BackendWriteTransaction? persist)
    {
        lock (_gate)
        {
            if (!_active.Remove((type, member), out var alarm))
            {
                return null;
            }
            persist?.DeleteAlarm(alarm);
            Refresh();
            return alarm;
        }
    }

    /// <summary>An alarm as Go's gogo-protobuf String() prints it, which is what Status.errors and the logs carry.</summary>
    public static string Describe(AlarmMember alarm)
    {
        var text = new System.Text.StringBuilder();
        if (alarm.MemberID != 0)
        {
            text.Append("memberID:").Append(alarm.MemberID).Append(' ');
        }
        if (alarm.Alarm != AlarmType.None)
        {
            text.Append("alarm:").Append(Name(alarm.Alarm)).Append(' ');
        }
        return text.ToString();
    }

    /// <summary>The alarm type's name in etcd's enum (NONE, NOSPACE, CORRUPT).</summary>
    public static string Name(AlarmType type) => type.ToString().ToUpperInvariant();

    private void Refresh() => _noSpace = _active.Keys.Any(k => k.Type == AlarmType.Nospace);
}
