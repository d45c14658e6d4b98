using Cairn.Protocol.Raftpb;
using Cairn.Server.Backend;
using Cairn.Server.Logging;
using Cairn.Storage.Backend;
using Cairn.Storage.Snap.V2Store;

namespace Cairn.Server.Membership;

/// <summary>
/// The cluster's membership as the apply loop has applied it (etcd's RaftCluster): members,
/// removed member IDs and the cluster version. Changes come only from applied raft entries and
/// are written where etcd 3.4 writes them: the v2 store (which raft snapshots carry) always, and
/// the backend's members/cluster buckets when the entry is new to the backend. Readable from any
/// thread.
/// </summary>
public sealed class ClusterMembership
{
    private readonly object _gate = new();
    private readonly ServerLogger _log;
    private readonly Dictionary<ulong, Member> _members = [];
    private readonly HashSet<ulong> _removed = [];
    private Member[] _sorted = [];
    private string? _version;

    public ClusterMembership(ulong localId, ulong clusterId, ServerLogger log)
    {
        LocalId = localId;
        ClusterId = clusterId;
        _log = log.ForPackage("etcdserver/membership");
    }

    public ulong LocalId { get; }

    public ulong ClusterId { get; }

    /// <summary>The members, sorted by ID.</summary>
    public IReadOnlyList<Member> Members
    {
        get
        {
            lock (_gate)
            {
                return _sorted;
            }
        }
    }

    /// <summary>The cluster version as etcd stores it ("3.4.0"), or null before one was decided.</summary>
    public string? Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>"major.minor" of <see cref="Version"/>, as etcd prints it; null before one was decided.</summary>
    public string? MajorMinorVersion => Version is { } v ? ClusterVersions.MajorMinor(v) : null;

    public Member? Find(ulong id)
    {
        lock (_gate)
        {
            return _members.GetValueOrDefault(id);
        }
    }

    public bool IsRemoved(ulong id)
    {
        lock (_gate)
        {
            return _removed.Contains(id);
        }
    }

    /// <summary>Loads the membership a raft snapshot's v2 store carries (etcd's RaftCluster.Recover).</summary>
    public void Recover(V2Store store)
    {
        lock (_gate)
        {
            _members.Clear();
            _removed.Clear();
            foreach (var m in V2Membership.Members(store))
            {
                _members[m.Id] = new Member(m.Id, m.Name, m.PeerUrls, m.ClientUrls, m.IsLearner);
            }
            foreach (var id in V2Membership.RemovedMembers(store))
            {
                _removed.Add(id);
            }
            _version = V2Membership.ClusterVersion(store);
            Resort();
        }
        // etcd's Recover hands the recovered version to UpdateCapability first (nothing when there is none).
        if (MajorMinorVersion is { } recovered)
        {
            LogCapabilities(recovered);
        }
        foreach (var m in Members)
        {
            _log.Info("recovered/added member from store",
                [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), Id("recovered-remote-peer-id", m.Id), LogField.Strings("recovered-remote-peer-urls", m.PeerUrls)],
                capnslog: $"added member {m.IdText} {GoList(m.PeerUrls)} to cluster {MemberIds.Format(ClusterId)} from store");
        }
        if (MajorMinorVersion is { } version)
        {
            _log.Info("set cluster version from store", [new LogField("cluster-version", version)],
                capnslog: $"set the cluster version to {version} from store");
        }
    }

    /// <summary>
    /// Checks a conf change against the membership as applied so far (etcd's
    /// ValidateConfigurationChange); null when it may be applied.
    /// </summary>
    public MembershipError? Validate(ConfChange change, ConfChangeContext? context)
    {
        lock (_gate)
        {
            ulong id = change.NodeId;
            if (_removed.Contains(id))
            {
                return MembershipError.IdRemoved;
            }
            var member = context?.Member;
            switch (change.Type)
            {
                case ConfChangeType.ConfChangeAddNode or ConfChangeType.ConfChangeAddLearnerNode:
                    if (member is null)
                    {
                        return MembershipError.Malformed;
                    }
                    if (context!.IsPromote)
                    {
                        return !_members.TryGetValue(id, out var learner) ? MembershipError.IdNotFound
                            : !learner.IsLearner ? MembershipError.MemberNotLearner
                            : null;
                    }
                    if (_members.ContainsKey(id))
                    {
                        return MembershipError.IdExists;
                    }
                    return _members.Values.Any(m => m.PeerUrls.Intersect(member.PeerUrls).Any())
                        ? MembershipError.PeerUrlExists
                        : null;
                case ConfChangeType.ConfChangeRemoveNode:
                    return _members.ContainsKey(id) ? null : MembershipError.IdNotFound;
                case ConfChangeType.ConfChangeUpdateNode:
                    if (member is null)
                    {
                        return MembershipError.Malformed;
                    }
                    if (!_members.ContainsKey(id))
                    {
                        return MembershipError.IdNotFound;
                    }
                    return _members.Values.Any(m => m.Id != id && m.PeerUrls.Intersect(member.PeerUrls).Any())
                        ? MembershipError.PeerUrlExists
                        : null;
                default:
                    return MembershipError.Malformed;
            }
        }
    }

    /// <summary>Applies a conf change that passed <see cref="Validate"/>.</summary>
    /// <param name="backend">The backend batch when the entry is new to the backend, else null.</param>
    public void Apply(ConfChange change, ConfChangeContext? context, V2Store store, BackendBatch? backend)
    {
        switch (change.Type)
        {
            case ConfChangeType.ConfChangeAddNode or ConfChangeType.ConfChangeAddLearnerNode when context!.IsPromote:
                Promote(Find(change.NodeId)!, store, backend);
                break;
            case ConfChangeType.ConfChangeAddNode or ConfChangeType.ConfChangeAddLearnerNode:
                Add(context!.Member, store, backend);
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                Remove(change.NodeId, store, backend);
                break;
            case ConfChangeType.ConfChangeUpdateNode:
                UpdateRaftAttributes(context!.Member, store, backend);
                break;
        }
    }

    /// <summary>A member published its name and client URLs (etcd's UpdateAttributes).</summary>
    public void UpdateAttributes(ulong id, string name, IReadOnlyList<string> clientUrls, V2Store store, BackendBatch? backend)
    {
        Member updated;
        lock (_gate)
        {
            if (!_members.TryGetValue(id, out var m))
            {
                // etcd ignores attributes of a member removed meanwhile.
                return;
            }
            updated = m with { Name = name, ClientUrls = clientUrls };
            _members[id] = updated;
            Resort();
        }
        V2Membership.UpdateAttributes(store, id, name, clientUrls);
        backend?.Transaction.PutMember(updated.ToRecord());
    }

    /// <summary>Sets the cluster version (etcd's SetVersion), logging as etcd does.</summary>
    public void SetVersion(string version, V2Store store, BackendBatch? backend)
    {
        string? old;
        lock (_gate)
        {
            old = _version;
            _version = version;
        }
        var now = ClusterVersions.MajorMinor(version);
        if (old is null)
        {
            _log.Notice("set initial cluster version", [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), new LogField("cluster-version", now)],
                capnslog: $"set the initial cluster version to {now}");
        }
        else if (old != version)
        {
            var before = ClusterVersions.MajorMinor(old);
            _log.Notice("updated cluster version", [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), new LogField("from", before), new LogField("to", now)],
                capnslog: $"updated the cluster version from {before} to {now}");
        }
        LogCapabilities(now);
        V2Membership.SetClusterVersion(store, version);
        backend?.Transaction.SetClusterVersion(version);
    }

    /// <summary>etcd's api.UpdateCapability: what harnesses wait for to know the cluster version is in force.</summary>
    private void LogCapabilities(string majorMinor) =>
        _log.ForPackage("etcdserver/api").Info("enabled capabilities for version", [new LogField("cluster-version", majorMinor)],
            capnslog: $"enabled capabilities for version {majorMinor}");

    private void Add(Member member, V2Store store, BackendBatch? backend)
    {
        lock (_gate)
        {
            _members[member.Id] = member;
            Resort();
        }
        V2Membership.AddMember(store, member.Id, member.PeerUrls, member.IsLearner);
        backend?.Transaction.PutMember(member.ToRecord());
        _log.Info("added member",
            [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), Id("added-peer-id", member.Id), LogField.Strings("added-peer-peer-urls", member.PeerUrls)],
            capnslog: $"added member {member.IdText} {GoList(member.PeerUrls)} to cluster {MemberIds.Format(ClusterId)}");
    }

    private void Promote(Member learner, V2Store store, BackendBatch? backend)
    {
        var promoted = learner with { IsLearner = false };
        lock (_gate)
        {
            _members[learner.Id] = promoted;
            Resort();
        }
        V2Membership.UpdateRaftAttributes(store, promoted.Id, promoted.PeerUrls, isLearner: false);
        backend?.Transaction.PutMember(promoted.ToRecord());
        _log.Info("promote member", [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), Id("promoted-member-id", promoted.Id)],
            capnslog: $"promote member {promoted.IdText} in cluster {MemberIds.Format(ClusterId)}");
    }

    private void Remove(ulong id, V2Store store, BackendBatch? backend)
    {
        lock (_gate)
        {
            _members.Remove(id);
            _removed.Add(id);
            Resort();
        }
        V2Membership.RemoveMember(store, id);
        backend?.Transaction.RemoveMember(id);
        _log.Info("removed member", [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), Id("removed-remote-peer-id", id)],
            capnslog: $"removed member {MemberIds.Format(id)} from cluster {MemberIds.Format(ClusterId)}");
    }

    private void UpdateRaftAttributes(Member member, V2Store store, BackendBatch? backend)
    {
        Member updated;
        lock (_gate)
        {
            var old = _members[member.Id];
            updated = old with { PeerUrls = member.PeerUrls };
            _members[member.Id] = updated;
            Resort();
        }
        V2Membership.UpdateRaftAttributes(store, updated.Id, updated.PeerUrls, updated.IsLearner);
        backend?.Transaction.PutMember(updated.ToRecord());
        _log.Info("updated member", [Id("cluster-id", ClusterId), Id("local-member-id", LocalId), Id("updated-remote-peer-id", updated.Id), LogField.Strings("updated-remote-peer-urls", updated.PeerUrls)],
            capnslog: $"updated member {updated.IdText} {GoList(updated.PeerUrls)} in cluster {MemberIds.Format(ClusterId)}");
    }

    private void Resort() => _sorted = [.. _members.Values.OrderBy(m => m.Id)];

    private static LogField Id(string key, ulong id) => new(key, MemberIds.Format(id));

    private static string GoList(IEnumerable<string> items) => "[" + string.Join(" ", items) + "]";
}
