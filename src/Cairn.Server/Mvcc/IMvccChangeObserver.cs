using Cairn.Protocol.Mvccpb;

namespace Cairn.Server.Mvcc;

/// <summary>
/// Receives the events of every write transaction that changed the store, for watchers (etcd's
/// <c>watchableStore.notify</c>). Called on the applying thread once the changes are in the
/// index and the backend, before <see cref="MvccStore.CurrentRevision"/> moves to
/// <paramref name="revision"/> (the order etcd uses: a watcher registering meanwhile either
/// sees the revision as current or gets the events). Keep it quick: the apply loop waits.
/// </summary>
public interface IMvccChangeObserver
{
    /// <summary>
    /// Whether events should carry <c>prev_kv</c> (the key's value before the change). Reading
    /// it costs a backend read per change, so the store only does it when asked.
    /// </summary>
    bool WantsPreviousKeyValues { get; }

    /// <summary>
    /// The events of the write at <paramref name="revision"/>, in the order of the changes:
    /// PUT with the new KeyValue, DELETE with the key and mod_revision set to the revision.
    /// </summary>
    void OnWrite(long revision, IReadOnlyList<Event> events);

    /// <summary>
    /// The applying thread starts a run of writes (the entries raft committed together): the
    /// observer may hold their events until <see cref="EndBatch"/>, so that a watcher's stream
    /// gets the run's events at once (one wake-up and one flush rather than one per write).
    /// </summary>
    void BeginBatch()
    {
    }

    /// <summary>The run of writes <see cref="BeginBatch"/> started is applied: events held must go out now.</summary>
    void EndBatch()
    {
    }
}
