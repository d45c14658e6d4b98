using Cairn.Server.Alarms;

namespace Cairn.Server.Apply;

/// <summary>What the apply loop needs for etcd's space rules: the alarms, the quota, and a way to raise NOSPACE through raft.</summary>
public sealed record ApplyQuota(AlarmStore Alarms, BackendQuota Quota, Func<Task> RaiseNoSpace);
